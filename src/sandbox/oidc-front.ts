/**
 * The Actions ID-token service for act's steps (act has none): ACTIONS_ID_TOKEN_REQUEST_URL
 * points here. Like GitHub's, it answers only a job with `permissions: id-token: write`
 * presenting the request token, never a fork PR's job, and signs (through the local OIDC
 * issuer, whose JWKS the registry's `github.oidc_issuer` names) the claims GitHub puts in:
 * which workflow file at which ref defines the job (`job_workflow_ref`), its environment,
 * run, event and ref — and a `sub` built from the repository's subject customization.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { OidcIssuer } from '../../test/support/oidc-issuer.ts';
import { resolvePeer } from './peer-identity.ts';
import type { JobIdentity, RunnerIdentity } from './runner-identity.ts';

export interface OidcFront {
  /** ACTIONS_ID_TOKEN_REQUEST_URL */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN */
  requestToken: string;
  /** Tokens issued (claims) and refusals, for the log and the tests. */
  issued: { audience: string; sub: string; jobWorkflowRef: string; environment?: string; runId: number }[];
  refusals: { reason: string }[];
  stop(): Promise<void>;
}

/** GitHub's `sub`: the default `repo:<r>:<context>`, or the customized claim keys in order. */
export function subjectClaim(
  claimKeys: string[] | undefined,
  claims: Record<string, unknown>,
  context: string,
): string {
  const value = (v: unknown) => String(v ?? '').replaceAll(':', '%3A');
  const keys = claimKeys && claimKeys.length > 0 ? claimKeys : ['repo', 'context'];
  return keys
    .map((k) => {
      if (k === 'repo') return `repo:${value(claims['repository'])}`;
      if (k === 'context') return context;
      return `${k}:${value(claims[k])}`;
    })
    .join(':');
}

/** The `context` part of a subject: environment, else pull_request, else the ref. */
export function subjectContext(id: JobIdentity): string {
  const value = (v: string) => v.replaceAll(':', '%3A');
  if (id.environment) return `environment:${value(id.environment)}`;
  if (id.run.event === 'pull_request') return 'pull_request';
  return `ref:${value(id.run.ref)}`;
}

export async function startOidcFront(o: {
  issuer: OidcIssuer;
  identity: RunnerIdentity;
  /** The repository's subject customization (undefined: GitHub's default subject). */
  subjectClaimKeys: () => string[] | undefined;
  say: (line: string) => void;
}): Promise<OidcFront> {
  const requestToken = randomBytes(24).toString('hex');
  const issued: OidcFront['issued'] = [];
  const refusals: OidcFront['refusals'] = [];

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, reason: string) => {
    refusals.push({ reason });
    o.say(`sandbox: ID token refused: ${reason}`);
    json(res, status, { message: reason });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/token') return json(res, 404, { message: 'Not Found' });
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      return refuse(res, 401, 'the request token is missing or wrong');
    }
    if (url.searchParams.get('api-version') !== '2.0') return json(res, 400, { message: 'api-version' });
    const { resolution } = resolvePeer(req.socket as Socket, o.identity);
    if ('refused' in resolution) return refuse(res, 403, resolution.refused);
    const id = resolution.identity;
    if (id.run.fork) return refuse(res, 403, `run ${id.run.id} is a pull request from a fork: no ID token`);
    if (id.environmentPending) {
      return refuse(
        res,
        403,
        `job ${id.job.id}: its environment is not known to the sandbox yet (no matrix in this step)`,
      );
    }
    if (id.permissions['id-token'] !== 'write') {
      return refuse(res, 403, `job ${id.job.id} of ${id.file.path} has no id-token: write`);
    }
    const [owner] = id.run.repository.split('/');
    const audience = url.searchParams.get('audience') || `https://github.com/${owner}`;
    const claims: Record<string, unknown> = {
      aud: audience,
      ref: id.run.ref,
      sha: id.run.sha,
      repository: id.run.repository,
      repository_owner: owner,
      run_id: String(id.run.id),
      run_number: '1',
      run_attempt: String(id.run.attempt),
      actor: id.run.actor,
      workflow: id.run.workflow.name,
      workflow_ref: id.workflowRef,
      workflow_sha: id.run.sha,
      job_workflow_ref: id.jobWorkflowRef,
      event_name: id.run.event,
      ref_type: id.run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      ref_protected: String(id.run.ref === `refs/heads/${id.run.defaultBranch}`),
      ...(id.run.headRef ? { head_ref: id.run.headRef, base_ref: id.run.baseRef ?? '' } : {}),
      ...(id.environment ? { environment: id.environment } : {}),
    };
    claims['sub'] = subjectClaim(o.subjectClaimKeys(), claims, subjectContext(id));
    const token = await o.issuer.issue(audience, claims);
    issued.push({
      audience,
      sub: String(claims['sub']),
      jobWorkflowRef: id.jobWorkflowRef,
      runId: id.run.id,
      ...(id.environment ? { environment: id.environment } : {}),
    });
    return json(res, 200, { count: token.length, value: token });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    requestUrl: `${origin}/token?api-version=2.0`,
    requestToken,
    issued,
    refusals,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
