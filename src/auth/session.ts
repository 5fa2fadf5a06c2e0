import type { StackTarget } from '../config/targets.ts';
import { UsageError } from '../util/errors.ts';
import {
  AWS_AUDIENCE,
  type AwsCredentials,
  assertAccount,
  assumeRoleWithWebIdentity,
  awsChildEnv,
  type CallerIdentity,
  callerIdentity,
} from './aws.ts';
import { checkGcpTarget, gcpAudience, writeGcpCredentials } from './gcp.ts';
import { cachedTokenProvider, gcpAccessToken, googleEndpoints } from './gcp-token.ts';
import { type IdTokenFetcher, requestIdToken } from './id-token.ts';
import { roleSessionName } from './session-name.ts';

export type Phase = 'plan' | 'apply';

/**
 * Cloud credentials for one stack run. `env` goes to the engine child process and nowhere
 * else; `cleanup` removes any file written for it.
 */
export interface CloudSession {
  env: Record<string, string>;
  /** Who the engine will act as (AWS: the checked caller identity). */
  identity: CallerIdentity | { serviceAccount: string };
  /** The role (or service account) used, for the run report. */
  principal: string;
  /** True when the env carries credentials obtained here (false: the user's own environment). */
  federated: boolean;
  /** The AWS credentials in `env`, for the toolkit's own S3 calls (plan bundles). */
  aws?: AwsCredentials;
  /** GCP: the service account's OAuth access token, for the toolkit's own GCS calls (plan bundles). */
  gcpAccessToken?: () => Promise<string>;
  cleanup(): Promise<void>;
}

export interface FederatedSessionOptions {
  stackId: string;
  target: StackTarget;
  phase: Phase;
  runId: string;
  idToken: IdTokenFetcher | undefined;
  /** Called with every secret the moment it exists (core.setSecret at the action edge). */
  mask: (secret: string) => void;
  /** Sandbox only: STS endpoint (AWS: moto; GCP: one stand-in for Google STS and IAM Credentials). */
  stsEndpoint?: string;
  tempDir?: string;
}

/**
 * CI credentials: GitHub ID token → the registry's plan role (PRs) or apply role (applies) →
 * account guard. Throws before returning when the caller is not the registry's account, so no
 * engine command ever runs with the wrong account's credentials.
 */
export async function openFederatedSession(opts: FederatedSessionOptions): Promise<CloudSession> {
  const { target, stackId } = opts;
  const where = { stackId, team: target.team, env: target.env };
  const principal = opts.phase === 'plan' ? target.planRole : target.applyRole;
  if (!principal) {
    throw new UsageError(
      `stack ${stackId}: idlc.yaml gives team "${target.team}" env "${target.env}" no ${opts.phase} role`,
      `set naming.${target.cloud}.${opts.phase}_role (or the team env entry) in idlc.yaml`,
    );
  }
  if (target.cloud === 'aws') {
    const token = await requestIdToken(opts.idToken, AWS_AUDIENCE, stackId);
    opts.mask(token);
    const creds = await assumeRoleWithWebIdentity({
      roleArn: principal,
      sessionName: roleSessionName(opts.runId, stackId),
      token,
      stackId,
      region: target.region,
      endpoint: opts.stsEndpoint,
    });
    opts.mask(creds.accessKeyId);
    opts.mask(creds.secretAccessKey);
    if (creds.sessionToken) opts.mask(creds.sessionToken);
    const identity = await callerIdentity(
      { region: target.region, endpoint: opts.stsEndpoint },
      creds,
      stackId,
    );
    assertAccount(target.accountId, identity, where);
    return {
      env: awsChildEnv(creds, target.region),
      identity,
      principal,
      federated: true,
      aws: creds,
      cleanup: async () => {},
    };
  }
  const provider = checkGcpTarget(target.workloadIdentityProvider, principal, where);
  const token = await requestIdToken(opts.idToken, gcpAudience(provider), stackId);
  opts.mask(token);
  const endpoints = googleEndpoints(opts.stsEndpoint);
  // The toolkit's own token, now: a refused exchange or impersonation fails here, before init.
  let idToken: string | undefined = token;
  const accessToken = cachedTokenProvider(async () => {
    const subject = idToken ?? (await requestIdToken(opts.idToken, gcpAudience(provider), stackId));
    idToken = undefined;
    opts.mask(subject);
    const t = await gcpAccessToken({
      idToken: subject,
      workloadIdentityProvider: provider,
      serviceAccount: principal,
      stackId,
      endpoints,
    });
    opts.mask(t.token);
    return t;
  });
  await accessToken();
  const files = await writeGcpCredentials({
    token,
    workloadIdentityProvider: provider,
    serviceAccount: principal,
    parentDir: opts.tempDir,
    endpoints,
  });
  return {
    env: { ...files.env, GOOGLE_PROJECT: target.project ?? '', GOOGLE_CLOUD_PROJECT: target.project ?? '' },
    identity: { serviceAccount: principal },
    principal,
    federated: true,
    gcpAccessToken: accessToken,
    cleanup: files.cleanup,
  };
}

/**
 * Laptop credentials: whatever the user's environment holds (AWS_PROFILE, SSO), never an
 * assumed plan or apply role. The account guard still applies, so a `prod` profile cannot
 * plan a `dev` stack by accident.
 */
export async function openAmbientSession(opts: {
  stackId: string;
  target: StackTarget;
  /** The user's environment: static keys in it are used as is, else the SDK's default chain (profiles, SSO). */
  env: NodeJS.ProcessEnv;
  stsEndpoint?: string;
}): Promise<CloudSession> {
  const { target, stackId } = opts;
  if (target.cloud !== 'aws') {
    return {
      env: {},
      identity: { serviceAccount: '(application default credentials)' },
      principal: '(your gcloud credentials)',
      federated: false,
      cleanup: async () => {},
    };
  }
  const e = opts.env;
  const keys =
    e['AWS_ACCESS_KEY_ID'] && e['AWS_SECRET_ACCESS_KEY']
      ? {
          accessKeyId: e['AWS_ACCESS_KEY_ID'],
          secretAccessKey: e['AWS_SECRET_ACCESS_KEY'],
          sessionToken: e['AWS_SESSION_TOKEN'] || undefined,
        }
      : undefined;
  const identity = await callerIdentity({ region: target.region, endpoint: opts.stsEndpoint }, keys, stackId);
  assertAccount(target.accountId, identity, { stackId, team: target.team, env: target.env });
  return { env: {}, identity, principal: identity.arn, federated: false, aws: keys, cleanup: async () => {} };
}
