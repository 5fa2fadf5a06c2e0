import { UsageError } from '../util/errors.ts';

/**
 * Fetches a GitHub Actions OIDC ID token for an audience. In an action this is
 * `core.getIDToken`; core code only ever receives the function, so it runs in tests against
 * the local issuer and never reads runner variables itself.
 */
export type IdTokenFetcher = (audience: string) => Promise<string>;

const NO_TOKEN_FIX =
  'give the job `permissions: { id-token: write, contents: read }`. Pull requests from forks never ' +
  'receive an ID token, so they cannot get cloud credentials: push the branch to this repository ' +
  '(or let a maintainer re-run the plan) instead';

/** True when the runner exposes the ID-token endpoint to this job. */
export function idTokenAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env['ACTIONS_ID_TOKEN_REQUEST_URL'] && env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']);
}

/**
 * Ask for an ID token and turn every way this fails (no fetcher because the runner withheld the
 * endpoint, the endpoint refusing, an empty answer) into one message that names the missing
 * permission and the fork rule.
 */
export async function requestIdToken(
  fetcher: IdTokenFetcher | undefined,
  audience: string,
  stackId: string,
): Promise<string> {
  if (!fetcher) {
    throw new UsageError(
      `stack ${stackId}: no GitHub OIDC ID token is available to this job ` +
        '(ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)',
      NO_TOKEN_FIX,
    );
  }
  let token: string;
  try {
    token = await fetcher(audience);
  } catch (err) {
    const detail = String((err as Error).message ?? err)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ');
    throw new UsageError(
      `stack ${stackId}: could not get a GitHub OIDC ID token for audience "${audience}": ${detail}`,
      NO_TOKEN_FIX,
    );
  }
  if (token?.split('.').length !== 3) {
    throw new UsageError(
      `stack ${stackId}: the ID-token endpoint answered without a JWT for audience "${audience}"`,
      NO_TOKEN_FIX,
    );
  }
  return token;
}

/**
 * The claims of a token, read without verification: only to explain a refusal ("this job's
 * token has sub=…"); trust decisions are the cloud's, never ours.
 */
export function unverifiedClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
