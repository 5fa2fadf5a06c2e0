/**
 * What every REST handler file of the double shares: the request and reply shapes, GitHub's
 * error bodies, and pagination with Link headers. A handler file exports a map
 * `operationId → Handler`; handlers.ts merges the maps.
 */
import type { MatchedOperation } from './openapi.ts';
import type { Ctx } from './rest-objects.ts';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: Buffer;
}

export interface RestRequest {
  op: MatchedOperation;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are schema-validated JSON
  body: any;
}

export type Handler = (req: RestRequest, ctx: Ctx) => Reply;
export type HandlerMap = Record<string, Handler>;

export const DOCS = 'https://docs.github.com/rest';

export function notFound(): Reply {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

export function forbidden(message: string, documentation = DOCS): Reply {
  return { status: 403, body: { message, documentation_url: documentation, status: '403' } };
}

export function unauthorized(message: string): Reply {
  return { status: 401, body: { message, documentation_url: DOCS, status: '401' } };
}

export function validationFailed(resource: string, field: string, message: string, code = 'custom'): Reply {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource, code, field, message }],
      documentation_url: DOCS,
      status: '422',
    },
  };
}

/** A 422 whose message is the whole story (as GitHub answers many semantic refusals). */
export function unprocessable(message: string): Reply {
  return { status: 422, body: { message, documentation_url: DOCS, status: '422' } };
}

const chars = (s: string) => [...s].length;

export function tooLong(resource: string, field: string, value: unknown, max: number): Reply | undefined {
  if (typeof value === 'string' && chars(value) > max) {
    return validationFailed(resource, field, `${field} is too long (maximum is ${max} characters)`);
  }
  return undefined;
}

export function num(q: string | string[] | undefined, dflt: number): number {
  const v = Array.isArray(q) ? q[0] : q;
  return v === undefined || v === '' ? dflt : Number(v);
}

export function str(q: string | string[] | undefined): string | undefined {
  const v = Array.isArray(q) ? q[0] : q;
  return v === undefined || v === '' ? undefined : v;
}

/** One page of `items` with GitHub's Link header (per_page ≤ 100, default 30). */
export function page<T>(req: RestRequest, ctx: Ctx, items: T[], wrap?: (page: T[]) => unknown): Reply {
  const perPage = Math.min(100, Math.max(1, num(req.query['per_page'], 30)));
  const pageNo = Math.max(1, num(req.query['page'], 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const link = (p: number, rel: string) => {
    const u = new URL(`${ctx.api}${req.op.template.replace(/\{(\w+)\}/g, (_, k) => req.params[k] ?? '')}`);
    for (const [k, v] of Object.entries(req.query)) if (k !== 'page') u.searchParams.set(k, String(v));
    u.searchParams.set('page', String(p));
    return `<${u}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNo < last) links.push(link(pageNo + 1, 'next'), link(last, 'last'));
  if (pageNo > 1) links.push(link(1, 'first'), link(pageNo - 1, 'prev'));
  return {
    status: 200,
    body: wrap ? wrap(slice) : slice,
    headers: links.length ? { link: links.join(', ') } : {},
  };
}
