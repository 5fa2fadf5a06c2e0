import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs-atomic.ts';
import { GOOGLE_ENDPOINTS, type GoogleEndpoints, generateAccessTokenUrl, stsTokenUrl } from './gcp-token.ts';

/**
 * GCP Workload Identity Federation. The GitHub ID token is written to a private file and an
 * "external_account" credential file points Google's client libraries (the google provider,
 * the gcs backend) at it: they exchange it at sts.googleapis.com for a federated token and
 * impersonate the team's service account. Only GOOGLE_APPLICATION_CREDENTIALS in the engine
 * child's env names the file; nothing is exported to the job.
 *
 * Why a token *file* and not `credential_source.url` (what google-github-actions/auth uses):
 * the url form puts ACTIONS_ID_TOKEN_REQUEST_TOKEN into the file so the libraries can mint new
 * ID tokens, which hands the engine (and every provider plugin it runs) the power to mint tokens
 * for any audience for the rest of the job. The file form hands over one token for one audience.
 * The cost: the subject token is re-read when the 1 h federated token expires, so a run longer
 * than the ID token's lifetime must be split; plans and applies of one stack are far shorter.
 */

const PROVIDER =
  /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const SERVICE_ACCOUNT =
  /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/** The audience a GitHub token must carry for a WIF provider (the default the provider accepts). */
export function gcpAudience(workloadIdentityProvider: string): string {
  return `https://iam.googleapis.com/${workloadIdentityProvider}`;
}

export interface ExternalAccountConfig {
  type: 'external_account';
  audience: string;
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt';
  token_url: string;
  service_account_impersonation_url: string;
  credential_source: { file: string; format: { type: 'text' } };
}

export function externalAccountConfig(opts: {
  workloadIdentityProvider: string;
  serviceAccount: string;
  tokenFile: string;
  /** Google's unless a local stand-in is given (the sandbox). */
  endpoints?: GoogleEndpoints;
}): ExternalAccountConfig {
  const endpoints = opts.endpoints ?? GOOGLE_ENDPOINTS;
  return {
    type: 'external_account',
    audience: `//iam.googleapis.com/${opts.workloadIdentityProvider}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: stsTokenUrl(endpoints),
    service_account_impersonation_url: generateAccessTokenUrl(endpoints, opts.serviceAccount),
    credential_source: { file: opts.tokenFile, format: { type: 'text' } },
  };
}

export function checkGcpTarget(
  provider: string | undefined,
  serviceAccount: string,
  where: { stackId: string; team: string; env: string },
): string {
  if (!provider) {
    throw new UsageError(
      `stack ${where.stackId}: idlc.yaml has no workload identity provider for team "${where.team}" env "${where.env}"`,
      `set naming.gcp.workload_identity_provider or teams.${where.team}.envs.${where.env}.gcp.workload_identity_provider ` +
        '(projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>)',
    );
  }
  if (!PROVIDER.test(provider)) {
    throw new UsageError(
      `stack ${where.stackId}: "${provider}" is not a workload identity provider resource name`,
      'write projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>',
    );
  }
  if (!SERVICE_ACCOUNT.test(serviceAccount)) {
    throw new UsageError(
      `stack ${where.stackId}: "${serviceAccount}" is not a service account email`,
      'write <name>@<project>.iam.gserviceaccount.com in naming.gcp or the team env entry',
    );
  }
  return provider;
}

export interface GcpCredentialFiles {
  /** For the engine child only. */
  env: Record<string, string>;
  dir: string;
  credentialFile: string;
  cleanup(): Promise<void>;
}

/** Write token + external-account file (0600, in a fresh 0700 temp dir). */
export async function writeGcpCredentials(opts: {
  token: string;
  workloadIdentityProvider: string;
  serviceAccount: string;
  parentDir?: string;
  endpoints?: GoogleEndpoints;
}): Promise<GcpCredentialFiles> {
  const dir = await mkdtemp(join(opts.parentDir ?? tmpdir(), 'idlc-gcp-'));
  const tokenFile = join(dir, 'github-id-token.jwt');
  const credentialFile = join(dir, 'external-account.json');
  await writeFileAtomic(tokenFile, opts.token, 0o600);
  const config = externalAccountConfig({ ...opts, tokenFile });
  await writeFileAtomic(credentialFile, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  return {
    dir,
    credentialFile,
    env: {
      GOOGLE_APPLICATION_CREDENTIALS: credentialFile,
      // gcloud (if a provisioner calls it) reads this one instead.
      CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: credentialFile,
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
