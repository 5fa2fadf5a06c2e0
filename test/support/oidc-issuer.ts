import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A local OIDC issuer that plays the GitHub Actions ID-token service: the runner gives a job
 * ACTIONS_ID_TOKEN_REQUEST_URL (with `?api-version=2.0`) and ACTIONS_ID_TOKEN_REQUEST_TOKEN;
 * `core.getIDToken(aud)` GETs `<url>&audience=<aud>` with `Authorization: Bearer <token>` and
 * reads `{ value }`. The JWT carries the claims GitHub documents for its tokens, signed RS256
 * with a key published at /.well-known/jwks (found through /.well-known/openid-configuration).
 */
export interface JobContext {
  /** owner/name */
  repository: string;
  /** The triggering event: pull_request jobs get the `pull_request` context in their sub. */
  eventName: 'pull_request' | 'push' | 'workflow_dispatch' | 'schedule';
  ref: string;
  sha: string;
  /** A job with `environment:` gets the context `environment:NAME` (takes precedence). */
  environment?: string;
  runId: string;
  /** The run's workflow file (the caller): `workflow_ref` is `<repo>/.github/workflows/<file>@<ref>`. */
  workflowFile: string;
  /**
   * The file the job is defined in, as `job_workflow_ref` says it: for a reusable workflow the
   * called file at the ref it was called with (`acme/infra/.github/workflows/x.yml@refs/heads/main`).
   * Unset: the issuer's `jobWorkflowRef` option decides, else the run's own workflow file at `ref`.
   */
  jobWorkflowRef?: string;
  actor: string;
}

export interface OidcIssuer {
  /** The `iss` claim and discovery base, e.g. http://127.0.0.1:PORT */
  issuer: string;
  /** What the runner sets as ACTIONS_ID_TOKEN_REQUEST_URL. */
  requestUrl: string;
  /** What the runner sets as ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** Env for a job: the two runner variables. */
  runnerEnv(): Record<string, string>;
  /** Change the job the next tokens are issued for. */
  setContext(patch: Partial<JobContext>): void;
  /** Sign a token directly (same path the endpoint uses). */
  issue(audience: string, overrides?: Record<string, unknown>): Promise<string>;
  /** Token requests served, with the audience asked for. */
  requests: { audience: string | null; authorized: boolean }[];
  stop(): Promise<void>;
}

/**
 * The `sub` of a repository whose subject is customized with
 * `include_claim_keys: [repo, context, job_workflow_ref]` (what `idlc setup-github` sets):
 * `repo:O/R:<context>:job_workflow_ref:<job_workflow_ref>`, a `:` inside a value written `%3A`.
 */
export function subjectFor(ctx: JobContext, jobWorkflowRef: string): string {
  const value = (v: string) => v.replaceAll(':', '%3A');
  const context = ctx.environment
    ? `environment:${value(ctx.environment)}`
    : ctx.eventName === 'pull_request'
      ? 'pull_request'
      : `ref:${value(ctx.ref)}`;
  return `repo:${value(ctx.repository)}:${context}:job_workflow_ref:${value(jobWorkflowRef)}`;
}

export interface OidcIssuerOptions {
  /**
   * `job_workflow_ref` of a job whose context does not set one: models which workflow file runs
   * which kind of job (e.g. PR plans in a reusable workflow called at the default branch).
   */
  jobWorkflowRef?: (ctx: JobContext) => string | undefined;
}

export async function startOidcIssuer(
  initial: Partial<JobContext> = {},
  options: OidcIssuerOptions = {},
): Promise<OidcIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const requestToken = randomBytes(24).toString('hex');
  let ctx: JobContext = {
    repository: 'acme/infra',
    eventName: 'pull_request',
    ref: 'refs/pull/7/merge',
    sha: 'a'.repeat(40),
    runId: '1000001',
    workflowFile: 'idlc-plan.yml',
    actor: 'octocat',
    ...initial,
  };
  const requests: OidcIssuer['requests'] = [];
  let issuer = '';

  const issue = async (audience: string, overrides: Record<string, unknown> = {}) => {
    const [owner] = ctx.repository.split('/');
    const now = Math.floor(Date.now() / 1000);
    const workflowRef = `${ctx.repository}/.github/workflows/${ctx.workflowFile}@${ctx.ref}`;
    const jobWorkflowRef = ctx.jobWorkflowRef ?? options.jobWorkflowRef?.(ctx) ?? workflowRef;
    const claims: Record<string, unknown> = {
      jti: randomUUID(),
      sub: subjectFor(ctx, jobWorkflowRef),
      aud: audience,
      ref: ctx.ref,
      sha: ctx.sha,
      repository: ctx.repository,
      repository_owner: owner,
      repository_id: '123456789',
      repository_owner_id: '987654',
      repository_visibility: 'private',
      run_id: ctx.runId,
      run_number: '42',
      run_attempt: '1',
      actor: ctx.actor,
      actor_id: '583231',
      workflow: ctx.workflowFile.replace(/\.ya?ml$/, ''),
      workflow_ref: workflowRef,
      job_workflow_ref: jobWorkflowRef,
      event_name: ctx.eventName,
      ref_type: ctx.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      runner_environment: 'github-hosted',
      ...(ctx.environment ? { environment: ctx.environment } : {}),
      iss: issuer,
      nbf: now - 5,
      iat: now,
      exp: now + 300,
      ...overrides,
    };
    return await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method !== 'GET') return json(res, 405, { message: 'method not allowed' });
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'sha', 'repository'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
    }
    if (url.pathname === '/.well-known/jwks') return json(res, 200, { keys: [publicJwk] });
    if (url.pathname === '/token') {
      const authorized = req.headers.authorization === `Bearer ${requestToken}`;
      const audience = url.searchParams.get('audience');
      requests.push({ audience, authorized });
      if (!authorized) return json(res, 401, { message: 'Bad credentials' });
      if (url.searchParams.get('api-version') !== '2.0') return json(res, 400, { message: 'api-version' });
      const token = await issue(audience ?? `https://github.com/${ctx.repository.split('/')[0]}`);
      return json(res, 200, { count: token.length, value: token });
    }
    return json(res, 404, { message: 'Not Found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const requestUrl = `${issuer}/token?api-version=2.0`;
  return {
    issuer,
    requestUrl,
    requestToken,
    runnerEnv: () => ({
      ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    }),
    setContext(patch) {
      ctx = { ...ctx, ...patch };
      if ('environment' in patch && patch.environment === undefined) delete ctx.environment;
      if ('jobWorkflowRef' in patch && patch.jobWorkflowRef === undefined) delete ctx.jobWorkflowRef;
    },
    issue,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
