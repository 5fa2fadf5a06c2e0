/**
 * GitHub's published REST description (@octokit/openapi, api.github.com) as a contract:
 * routing, request validation and response validation through openapi-backend (ajv).
 * The 13 MB document is parsed and initialised once per process and shared by every double.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Document, OpenAPIBackend, type Operation, type ValidationResult } from 'openapi-backend';

/** ajv's error object, as openapi-backend reports it (ajv itself is not a direct dependency). */
export type ErrorObject = NonNullable<ValidationResult['errors']>[number];

export interface MatchedOperation {
  operationId: string;
  method: string;
  /** Path template, e.g. /repos/{owner}/{repo}/issues/{issue_number}/comments */
  template: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  operation: Operation;
}

export interface RestContract {
  match(method: string, path: string, query: Record<string, string | string[]>): MatchedOperation | undefined;
  validateRequest(
    op: MatchedOperation,
    req: {
      path: string;
      query: Record<string, string | string[]>;
      headers: Record<string, string>;
      body: unknown;
    },
  ): ErrorObject[];
  /** Schema errors of a response body, or [] when valid (or when GitHub documents no body). */
  validateResponse(op: MatchedOperation, status: number, body: unknown): ErrorObject[];
  /** GitHub's own example body for an operation's response (a fresh copy). */
  example(operationId: string, status: number): unknown;
}

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s),
  uri: (s) => URL.canParse(s),
  'uri-template': (s) => s.length > 0,
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  'repo.nwo': (s) => /^[^/\s]+\/[^/\s]+$/.test(s),
  binary: () => true,
  timestamp: () => true,
  int32: () => true,
  int64: () => true,
  double: () => true,
};

/**
 * ajv refuses `nullable: true` without `type` (GitHub uses it beside allOf/anyOf/$ref);
 * rewrite those as anyOf [schema, null], which is what the description means. And a
 * nullable enum admits null, as OpenAPI 3.0.3 says and GitHub's responses show.
 */
function fixNullableWithoutType(node: unknown): void {
  if (Array.isArray(node)) {
    for (const v of node) fixNullableWithoutType(v);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  for (const v of Object.values(o)) fixNullableWithoutType(v);
  // GitHub sends null for nullable enums (state_reason on an open issue)
  if (o['nullable'] === true && Array.isArray(o['enum']) && !o['enum'].includes(null)) o['enum'].push(null);
  // `oneOf: [integer, string]` (workflow_id: an id or a file name): a path parameter is a
  // string that type coercion also reads as an integer, so exactly-one fails for `123`
  if (Array.isArray(o['oneOf']) && o['oneOf'].every(isPrimitiveSchema)) {
    o['anyOf'] = o['oneOf'];
    delete o['oneOf'];
  }
  if (o['nullable'] === true && !('type' in o)) {
    const rest = { ...o };
    delete rest['nullable'];
    for (const k of Object.keys(o)) delete o[k];
    o['anyOf'] = [rest, { type: 'null' }];
  }
}

function isPrimitiveSchema(s: unknown): boolean {
  const type = (s as { type?: unknown } | null)?.type;
  return type === 'integer' || type === 'string' || type === 'number' || type === 'boolean';
}

function openapiFile(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@octokit/openapi/package.json');
  return join(dirname(pkg), 'generated', 'api.github.com.json');
}

function firstExample(content: unknown): unknown {
  const c = content as { examples?: Record<string, { value?: unknown }>; example?: unknown } | undefined;
  if (!c) return undefined;
  if (c.examples) return Object.values(c.examples)[0]?.value;
  return c.example;
}

async function load(): Promise<RestContract> {
  const doc = JSON.parse(await readFile(openapiFile(), 'utf8')) as Document;
  fixNullableWithoutType(doc);
  const api = new OpenAPIBackend({
    definition: doc,
    quick: true, // validators compile lazily, per operation, on first use
    validate: true,
    coerceTypes: true,
    ajvOpts: { strict: false, logger: false, allErrors: false },
    customizeAjv: (ajv) => {
      for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
      return ajv;
    },
  });
  await api.init();

  return {
    match(method, path, query) {
      const req = { method: method.toLowerCase(), path, query, headers: {} };
      const operation = api.router.matchOperation(req);
      if (!operation?.operationId) return undefined;
      const parsed = api.router.parseRequest(req, operation);
      return {
        operationId: operation.operationId,
        method: operation.method.toUpperCase(),
        template: operation.path,
        params: parsed.params as Record<string, string>,
        query,
        operation,
      };
    },
    validateRequest(op, req) {
      const result = api.validator.validateRequest(
        {
          method: op.method.toLowerCase(),
          path: req.path,
          query: req.query,
          headers: req.headers,
          body: req.body,
        },
        op.operation,
      );
      return result.valid ? [] : (result.errors ?? []);
    },
    validateResponse(op, status, body) {
      const responses = (op.operation.responses ?? {}) as Record<
        string,
        { content?: Record<string, unknown> }
      >;
      const documented = responses[String(status)];
      if (!documented?.content?.['application/json']) return [];
      const result = api.validator.validateResponse(body, op.operation, status);
      return result.valid ? [] : (result.errors ?? []);
    },
    example(operationId, status) {
      const op = api.getOperation(operationId);
      const responses = (op?.responses ?? {}) as Record<string, { content?: Record<string, unknown> }>;
      const ex = firstExample(responses[String(status)]?.content?.['application/json']);
      if (ex === undefined)
        throw new Error(`github double: no example for ${operationId} ${status} in @octokit/openapi`);
      return structuredClone(ex);
    },
  };
}

let cached: Promise<RestContract> | undefined;

/** The REST contract, loaded once per process (≈0.3 s; validators compile on first use). */
export function restContract(): Promise<RestContract> {
  cached ??= load();
  return cached;
}

/** GitHub-style one-line description of ajv errors, for 422 messages and violations. */
export function describeErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${paramsText(e.params)}`)
    .join('; ');
}

function paramsText(params: Record<string, unknown>): string {
  const interesting = Object.entries(params).filter(([k]) => k !== 'type');
  return interesting.length
    ? ` (${interesting.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')})`
    : '';
}
