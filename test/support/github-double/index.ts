/**
 * A GitHub double on loopback for tests: every REST request is routed and validated against
 * GitHub's published OpenAPI description, every GraphQL document against the published
 * schema; the operations the toolkit uses run against an in-memory repository; faults can
 * be injected per route; and every response the double sends is itself checked against the
 * description — a response GitHub would not send is a violation that fails `close()`.
 *
 *   const gh = await startGitHubDouble({ owner: 'acme', repo: 'platform' });
 *   const pr = gh.state.addPullRequest();
 *   gh.injectFault({ route: 'issues/create-comment', status: 502, times: 1 });
 *   … point the client at gh.url / gh.graphqlUrl …
 *   await gh.close(); // throws if the double saw contract violations
 *
 * Identities and permissions (identities.ts, permissions.ts): tokens the double issues carry
 * who they act as and what they may do, and every REST operation and GraphQL mutation is
 * checked against the permission GitHub requires for it:
 *
 *   const run = gh.state.addWorkflowRun({ path: WORKFLOWS.report, event: 'workflow_run' });
 *   const token = gh.issueToken({ kind: 'workflow', runId: run.id, job: 'report',
 *     permissions: { 'pull-requests': 'write', checks: 'write', actions: 'read' } });
 *   gh.registerApp({ appId: 42, slug: 'idlc', privateKeyPem, installationId: 7, permissions });
 *   const admin = gh.issueToken({ kind: 'user', login: 'alice', role: 'admin' });
 *
 * Tokens the double did not issue act as `state.actor` with every permission, unless the
 * double runs with `strictTokens: true`, which answers them 401.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GraphqlRequestBody, graphqlSchema, rootFieldsOf, runGraphql } from './graphql.ts';
import { restHandler } from './handlers.ts';
import {
  type AppSpec,
  type Identity,
  legacyIdentity,
  looksLikeJwt,
  type RegisteredApp,
  type TokenSpec,
  verifyAppJwt,
} from './identities.ts';
import { describeErrors, restContract } from './openapi.ts';
import { authorizeRest, REST_PERMISSIONS } from './permissions.ts';
import { notFound, type Reply, unauthorized } from './rest-kit.ts';
import type { Ctx } from './rest-objects.ts';
import { DoubleState } from './state.ts';

export { GITHUB_ACTIONS_APP, type Identity, type Permissions, type TokenSpec } from './identities.ts';
export { LIMITS } from './rest-handlers.ts';
export { BOT, DoubleState, HUMAN } from './state.ts';

export interface FaultSpec {
  /**
   * Which requests fail: an operationId (`issues/create-comment`), a route
   * (`POST /repos/{owner}/{repo}/issues/{issue_number}/comments`), `graphql` (any GraphQL
   * request), `graphql:<rootField>` (e.g. `graphql:minimizeComment`), or `*`.
   */
  route: string;
  status: 403 | 404 | 429 | 500 | 502 | 503;
  /** How many matching requests fail before the route recovers (default 1). */
  times?: number;
  /** Seconds, sent as `retry-after` (403 and 429 default to 1: a secondary rate limit). */
  retryAfter?: number;
  message?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  operationId?: string;
  /** `METHOD /template` of the matched REST operation. */
  route?: string;
  body: unknown;
  status: number;
  /** Login the request acted as (REST requests that got past authentication and permissions). */
  actor?: string;
  fault?: boolean;
  graphql?: { operationName?: string; rootFields: string[]; variables?: unknown; valid: boolean };
}

export interface GitHubDouble {
  /** REST base URL (GITHUB_API_URL). */
  url: string;
  /** GraphQL endpoint (GITHUB_GRAPHQL_URL). */
  graphqlUrl: string;
  state: DoubleState;
  injectFault(fault: FaultSpec): void;
  requests: RecordedRequest[];
  /** Contract violations by the double itself (invalid responses, unimplemented operations). */
  violations: string[];
  /** Issue a token (workflow job, App installation, person); returns the token string. */
  issueToken(spec: TokenSpec): string;
  /** Register a GitHub App installed on the repository; its JWTs are verified with the key's public half. */
  registerApp(spec: AppSpec): RegisteredApp;
  /** Stop the server; throws when there were violations. */
  close(): Promise<void>;
}

export interface DoubleOptions {
  owner: string;
  repo: string;
  /** Require exactly this token (default: any bearer/token credential). */
  token?: string;
  /** Serve as GitHub Enterprise Server does: REST under /api/v3, GraphQL at /api/graphql. */
  enterprise?: boolean;
  /** Answer tokens the double did not issue with 401 (default: they act as state.actor, unchecked). */
  strictTokens?: boolean;
  /** 'wall': timestamps follow the real clock (peers such as an OIDC issuer use it); default fixed. */
  clock?: 'fixed' | 'wall';
}

/** Why a request has no identity, or who it acts as (an App JWT authenticates the App itself). */
type Caller = { identity: Identity } | { app: RegisteredApp } | { reject: Reply };

const DOCS = 'https://docs.github.com/rest';
/** Operations an App authenticates for with its JWT. */
const REST_PERMISSIONS_JWT = new Set(
  Object.entries(REST_PERMISSIONS)
    .filter(([, need]) => need === 'app-jwt')
    .map(([operationId]) => operationId),
);
const SECONDARY =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function queryOf(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {
    'x-github-request-id': randomUUID().toUpperCase(),
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    ...reply.headers,
  };
  if (reply.raw) {
    res.writeHead(reply.status, { 'content-type': 'application/zip', ...headers });
    res.end(reply.raw);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(reply.body));
}

function faultReply(f: FaultSpec): Reply {
  if (f.status === 403 || f.status === 429) {
    return {
      status: f.status,
      body: {
        message: f.message ?? SECONDARY,
        documentation_url:
          'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: String(f.status),
      },
      headers: { 'retry-after': String(f.retryAfter ?? 1) },
    };
  }
  if (f.status === 404) return notFound();
  const message = f.message ?? (f.status === 502 ? 'Server Error' : 'Internal Server Error');
  return {
    status: f.status,
    body: { message, documentation_url: DOCS, status: String(f.status) },
    ...(f.retryAfter ? { headers: { 'retry-after': String(f.retryAfter) } } : {}),
  };
}

export async function startGitHubDouble(opts: DoubleOptions): Promise<GitHubDouble> {
  const [contract] = await Promise.all([restContract(), graphqlSchema()]);
  const state = new DoubleState(opts.owner, opts.repo, { clock: opts.clock ?? 'fixed' });
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const faults: (FaultSpec & { left: number })[] = [];
  const restPrefix = opts.enterprise ? '/api/v3' : '';
  const graphqlPath = opts.enterprise ? '/api/graphql' : '/graphql';
  let origin = '';

  const takeFault = (keys: string[]): FaultSpec | undefined => {
    const i = faults.findIndex((f) => f.left > 0 && (f.route === '*' || keys.includes(f.route)));
    if (i === -1) return undefined;
    const f = faults[i] as FaultSpec & { left: number };
    f.left--;
    if (f.left === 0) faults.splice(i, 1);
    return f;
  };

  const caller = (req: IncomingMessage, isGraphql: boolean): Caller => {
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = m?.[1];
    if (!token || (opts.token !== undefined && token !== opts.token)) {
      return {
        reject: unauthorized(
          isGraphql ? 'This endpoint requires you to be authenticated.' : 'Requires authentication',
        ),
      };
    }
    const issued = state.auth.resolve(token);
    if (issued) return { identity: issued };
    if (looksLikeJwt(token) && state.auth.apps.size > 0) {
      const check = verifyAppJwt(token, state.auth.apps);
      return 'app' in check ? { app: check.app } : { reject: unauthorized(check.error) };
    }
    if (opts.strictTokens) return { reject: unauthorized('Bad credentials') };
    return { identity: legacyIdentity(token, state.actor) };
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const rec: RecordedRequest = {
      method,
      path: url.pathname,
      query: queryOf(url),
      body: undefined,
      status: 0,
    };
    requests.push(rec);
    const reply = (r: Reply) => {
      rec.status = r.status;
      send(res, r);
    };

    // the redirect target of artifact downloads: a pre-signed blob URL, no token needed
    const blob = /^\/_blobs\/artifacts\/(\d+)\.zip$/.exec(url.pathname);
    if (blob && method === 'GET') {
      const a = state.artifacts.get(Number(blob[1]));
      return reply(a ? { status: 200, raw: a.zip } : { status: 404, body: { message: 'BlobNotFound' } });
    }

    const who = caller(req, url.pathname === graphqlPath);
    if ('reject' in who) return reply(who.reject);

    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply({
          status: 400,
          body: { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' },
        });
      }
    }
    rec.body = body;

    if (url.pathname === graphqlPath) {
      if (method !== 'POST') return reply(notFound());
      const gq = (body ?? {}) as GraphqlRequestBody;
      const roots = rootFieldsOf(gq.query ?? '', gq.operationName);
      rec.graphql = { rootFields: roots, variables: gq.variables, valid: false };
      const fault = takeFault(['graphql', `POST ${graphqlPath}`, ...roots.map((r) => `graphql:${r}`)]);
      if (fault) {
        rec.fault = true;
        return reply(faultReply(fault));
      }
      if (!('identity' in who)) {
        return reply({
          status: 403,
          body: { message: 'Resource not accessible by integration', documentation_url: DOCS },
        });
      }
      const outcome = await runGraphql(state, 'https://github.com', gq, who.identity);
      rec.graphql = {
        rootFields: outcome.rootFields,
        variables: gq.variables,
        valid: outcome.valid,
        ...(outcome.operationName ? { operationName: outcome.operationName } : {}),
      };
      return reply({ status: 200, body: outcome.body });
    }

    if (!url.pathname.startsWith(`${restPrefix}/`)) return reply(notFound());
    const path = url.pathname.slice(restPrefix.length);
    const op = contract.match(method, path, rec.query);
    if (!op) return reply(notFound());
    rec.operationId = op.operationId;
    rec.route = `${op.method} ${op.template}`;

    const fault = takeFault([op.operationId, rec.route]);
    if (fault) {
      rec.fault = true;
      return reply(faultReply(fault));
    }

    // an App JWT may only call the App's own endpoints; installation and user tokens never those
    let identity: Identity;
    if ('app' in who) {
      if (REST_PERMISSIONS_JWT.has(op.operationId)) {
        identity = {
          kind: 'app-installation',
          token: '',
          actor: who.app.bot,
          permissions: {},
          app: who.app,
          enforced: false,
        };
      } else {
        return reply({
          status: 403,
          body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
        });
      }
    } else {
      identity = who.identity;
      const denied = authorizeRest(identity, op.operationId);
      if (denied) return reply(denied);
    }
    rec.actor = identity.actor.login;

    const errors = contract.validateRequest(op, {
      path,
      query: rec.query,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body,
    });
    if (errors.length > 0) {
      return reply({
        status: 422,
        body: {
          message: `Invalid request.\n\n${describeErrors(errors)}`,
          documentation_url: DOCS,
          status: '422',
        },
      });
    }

    const handler = restHandler(op.operationId);
    if (!handler) {
      const msg = `github double does not implement ${op.operationId} (${rec.route}): add a handler to a file registered in test/support/github-double/handlers.ts`;
      violations.push(msg);
      return reply({ status: 501, body: { message: msg, documentation_url: DOCS } });
    }
    const ctx: Ctx = { contract, state, api: `${origin}${restPrefix}`, web: 'https://github.com', identity };
    const out = handler({ op, params: op.params, query: rec.query, body }, ctx);
    if (out.body !== undefined && !out.raw) {
      const bad = contract.validateResponse(op, out.status, out.body);
      if (bad.length > 0) {
        const msg = `github double answered ${rec.route} with a ${out.status} GitHub would not send: ${describeErrors(bad)}`;
        violations.push(msg);
        return reply({ status: 500, body: { message: msg } });
      }
    }
    return reply(out);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const msg = `github double crashed on ${req.method} ${req.url}: ${(err as Error).stack ?? err}`;
      violations.push(msg);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: msg }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}${restPrefix}`,
    graphqlUrl: `${origin}${graphqlPath}`,
    state,
    requests,
    violations,
    issueToken(spec) {
      return state.auth.issue(spec);
    },
    registerApp(spec) {
      return state.auth.registerApp(spec);
    },
    injectFault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (violations.length > 0) {
        throw new Error(
          `the GitHub double saw ${violations.length} contract violation(s):\n  ${violations.join('\n  ')}`,
        );
      }
    },
  };
}
