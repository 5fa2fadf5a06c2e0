import { UsageError } from '../util/errors.ts';

/**
 * An OAuth access token for the toolkit's own Google calls (plan bundles in the team's GCS
 * bucket), from the GitHub ID token, the way Google's client libraries do it for an
 * external-account credential:
 *   1. Security Token Service `POST /v1/token` (RFC 8693 token exchange): the GitHub JWT for a
 *      federated token of the workload identity pool provider, whose attribute condition runs here;
 *   2. IAM Service Account Credentials `POST /v1/projects/-/serviceAccounts/{sa}:generateAccessToken`
 *      with the federated token: an access token of the team's plan or apply service account,
 *      allowed only when the account binds `roles/iam.workloadIdentityUser` to the token's principal.
 * Request and response shapes are those of Google's discovery documents `sts/v1` and
 * `iamcredentials/v1` (the test double validates them against the documents themselves).
 * Endpoints are overridable for a local stand-in; production uses Google's.
 */

export interface GoogleEndpoints {
  /** Base URL of the Security Token Service (`/v1/token` below it). */
  sts: string;
  /** Base URL of IAM Service Account Credentials (`/v1/projects/-/serviceAccounts/...` below it). */
  iamCredentials: string;
}

export const GOOGLE_ENDPOINTS: GoogleEndpoints = {
  sts: 'https://sts.googleapis.com',
  iamCredentials: 'https://iamcredentials.googleapis.com',
};

/** Google's endpoints, or one local stand-in that serves both APIs (the sandbox). */
export function googleEndpoints(sandbox?: string): GoogleEndpoints {
  if (!sandbox) return GOOGLE_ENDPOINTS;
  const base = sandbox.replace(/\/+$/, '');
  return { sts: base, iamCredentials: base };
}

export const stsTokenUrl = (e: GoogleEndpoints) => `${e.sts.replace(/\/+$/, '')}/v1/token`;
export const generateAccessTokenUrl = (e: GoogleEndpoints, serviceAccount: string) =>
  `${e.iamCredentials.replace(/\/+$/, '')}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`;

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

export interface GoogleAccessToken {
  token: string;
  /** When the token stops working. */
  expiresAt: Date;
}

export interface GcpTokenOptions {
  /** The GitHub ID token (audience: the provider, see gcpAudience). */
  idToken: string;
  /** projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> */
  workloadIdentityProvider: string;
  serviceAccount: string;
  stackId: string;
  endpoints?: GoogleEndpoints;
  /** Token lifetime asked of IAM (Google's default and maximum without an org policy: 3600 s). */
  lifetimeSeconds?: number;
  fetch?: typeof fetch;
}

/** What Google says when it refuses: STS answers OAuth-style, IAM Credentials Google-style. */
async function refusal(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as {
      error?: string | { message?: string; status?: string };
      error_description?: string;
    };
    if (typeof body.error === 'string') {
      return `${res.status} ${body.error}${body.error_description ? `: ${body.error_description}` : ''}`;
    }
    if (body.error) return `${res.status} ${body.error.status ?? ''}: ${body.error.message ?? ''}`.trim();
  } catch {
    // not JSON: fall through
  }
  return `${res.status} ${text.slice(0, 200)}`.trim();
}

async function post(
  f: typeof fetch,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await f(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Step 1: GitHub ID token → federated token of the pool (STS `v1/token`). */
export async function exchangeIdToken(o: GcpTokenOptions): Promise<string> {
  const f = o.fetch ?? fetch;
  const endpoints = o.endpoints ?? GOOGLE_ENDPOINTS;
  const url = stsTokenUrl(endpoints);
  let res: Response;
  try {
    res = await post(f, url, {
      grantType: TOKEN_EXCHANGE,
      audience: `//iam.googleapis.com/${o.workloadIdentityProvider}`,
      scope: CLOUD_PLATFORM_SCOPE,
      requestedTokenType: ACCESS_TOKEN,
      subjectToken: o.idToken,
      subjectTokenType: JWT,
    });
  } catch (err) {
    throw new UsageError(
      `stack ${o.stackId}: cannot reach the Google Security Token Service at ${url}: ${(err as Error).message}`,
      'check the runner can reach sts.googleapis.com (egress rules, proxy)',
    );
  }
  if (!res.ok) {
    throw new UsageError(
      `stack ${o.stackId}: Google STS refused the GitHub token for ${o.workloadIdentityProvider}: ${await refusal(res)}`,
      "the provider accepts only the default branch's idlc workflows of the registry's repository (attribute condition of idlc/gcp/modules/project-baseline); check the workflow file and ref, the repository name, and that the provider exists and is enabled",
    );
  }
  const body = (await res.json()) as { access_token?: string; token_type?: string };
  if (!body.access_token) {
    throw new UsageError(`stack ${o.stackId}: Google STS answered without an access_token`, 'retry the job');
  }
  return body.access_token;
}

/** Step 2: federated token → access token of the service account (IAM Credentials). */
export async function impersonateServiceAccount(
  o: GcpTokenOptions & { federatedToken: string },
): Promise<GoogleAccessToken> {
  const f = o.fetch ?? fetch;
  const url = generateAccessTokenUrl(o.endpoints ?? GOOGLE_ENDPOINTS, o.serviceAccount);
  let res: Response;
  try {
    res = await post(
      f,
      url,
      { scope: [CLOUD_PLATFORM_SCOPE], lifetime: `${o.lifetimeSeconds ?? 3600}s` },
      { authorization: `Bearer ${o.federatedToken}` },
    );
  } catch (err) {
    throw new UsageError(
      `stack ${o.stackId}: cannot reach IAM Service Account Credentials at ${url}: ${(err as Error).message}`,
      'check the runner can reach iamcredentials.googleapis.com (egress rules, proxy)',
    );
  }
  if (!res.ok) {
    throw new UsageError(
      `stack ${o.stackId}: cannot act as ${o.serviceAccount}: ${await refusal(res)}`,
      "the service account must bind roles/iam.workloadIdentityUser to this job's subject (principalSet://…/attribute.sub/<subject>, idlc/gcp/modules/project-baseline); an apply job must run in the GitHub environment <team>-<env>",
    );
  }
  const body = (await res.json()) as { accessToken?: string; expireTime?: string };
  const expiresAt = new Date(body.expireTime ?? '');
  if (!body.accessToken || Number.isNaN(expiresAt.getTime())) {
    throw new UsageError(
      `stack ${o.stackId}: IAM Service Account Credentials answered without accessToken/expireTime`,
      'retry the job',
    );
  }
  return { token: body.accessToken, expiresAt };
}

/** Both steps: the service account's access token for the toolkit's own calls. */
export async function gcpAccessToken(o: GcpTokenOptions): Promise<GoogleAccessToken> {
  const federatedToken = await exchangeIdToken(o);
  return await impersonateServiceAccount({ ...o, federatedToken });
}

/**
 * A token provider for a GCS client: fetches once, then again only when the token is within
 * `marginMs` of its expiry (a new ID token is not needed before the STS token's hour is up).
 */
export function cachedTokenProvider(
  fetchToken: () => Promise<GoogleAccessToken>,
  now: () => number = Date.now,
  marginMs = 120_000,
): () => Promise<string> {
  let current: Promise<GoogleAccessToken> | undefined;
  return async () => {
    const t = current ? await current.catch(() => undefined) : undefined;
    if (t && t.expiresAt.getTime() - now() > marginMs) return t.token;
    current = fetchToken();
    return (await current).token;
  };
}
