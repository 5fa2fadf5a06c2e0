import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { UsageError } from '../util/errors.ts';
import { unverifiedClaims } from './id-token.ts';

/** The audience GitHub ID tokens carry for AWS (what the IAM OIDC provider lists as client id). */
export const AWS_AUDIENCE = 'sts.amazonaws.com';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface CallerIdentity {
  account: string;
  arn: string;
}

export interface StsOptions {
  region: string;
  /** Sandbox only (moto): an STS endpoint instead of AWS's. Absent in production. */
  endpoint?: string;
}

function stsClient(opts: StsOptions, credentials?: AwsCredentials): STSClient {
  const config: STSClientConfig = { region: opts.region, maxAttempts: 3 };
  if (opts.endpoint) config.endpoint = opts.endpoint;
  if (credentials) config.credentials = credentials;
  return new STSClient(config);
}

interface AwsErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function describeAwsError(err: unknown): { code: string; message: string } {
  const e = err as AwsErrorLike;
  // Service errors carry Code/name; socket errors keep the errno in `code` (name is just "Error").
  const code = e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'Error';
  return { code, message: (e.message ?? String(err)).split('\n')[0] ?? '' };
}

function isNetworkError(code: string): boolean {
  return ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'TimeoutError', 'EAI_AGAIN'].includes(code);
}

export interface AssumeRequest extends StsOptions {
  roleArn: string;
  sessionName: string;
  token: string;
  stackId: string;
  durationSeconds?: number;
}

/**
 * Exchange the GitHub ID token for short-lived credentials of the team role. Every refusal
 * becomes a message that says which role, what the token claimed, and what to check.
 */
export async function assumeRoleWithWebIdentity(req: AssumeRequest): Promise<AwsCredentials> {
  if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(req.roleArn)) {
    throw new UsageError(
      `stack ${req.stackId}: "${req.roleArn}" is not an IAM role ARN`,
      'set the role in idlc.yaml (naming.aws.plan_role / apply_role or the team env entry)',
    );
  }
  const client = stsClient(req);
  try {
    const out = await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: req.roleArn,
        RoleSessionName: req.sessionName,
        WebIdentityToken: req.token,
        DurationSeconds: req.durationSeconds ?? 3600,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new UsageError(`stack ${req.stackId}: STS returned no credentials for ${req.roleArn}`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const { code, message } = describeAwsError(err);
    const claims = unverifiedClaims(req.token);
    const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '(unknown)';
    const account = /::(\d{12}):/.exec(req.roleArn)?.[1] ?? '?';
    const head = `stack ${req.stackId}: STS refused AssumeRoleWithWebIdentity for ${req.roleArn}: ${code}: ${message}`;
    if (code === 'AccessDenied') {
      throw new UsageError(
        `${head}\n  the job's token has sub "${sub}" and aud "${String(claims['aud'] ?? '')}"`,
        `check that the role exists in account ${account} and that its trust policy allows this sub ` +
          '(plan roles trust only the plan-run workflow of the default branch, ' +
          'repo:<org>/<repo>:pull_request:job_workflow_ref:<org>/<repo>/.github/workflows/idlc-plan-run.yml@refs/heads/<default>; ' +
          'apply roles only repo:<org>/<repo>:environment:<team>-<env>:job_workflow_ref:…/idlc-apply.yml@refs/heads/<default>, ' +
          'so the job must run from that file on the default branch, in that GitHub environment; and the repository ' +
          'must customize its OIDC subject with repo, context, job_workflow_ref: idlc setup-github)',
      );
    }
    if (code === 'InvalidIdentityToken' || code === 'IDPRejectedClaim') {
      throw new UsageError(
        head,
        `register GitHub's OIDC provider (issuer ${String(claims['iss'] ?? '?')}) in account ${account} ` +
          `with client id ${AWS_AUDIENCE} (the github-oidc module does this)`,
      );
    }
    if (code === 'ExpiredTokenException') {
      throw new UsageError(head, 'the ID token expired before it was used; re-run the job');
    }
    if (isNetworkError(code)) {
      throw new UsageError(
        `stack ${req.stackId}: cannot reach STS${req.endpoint ? ` at ${req.endpoint}` : ''}: ${code}`,
        'check the runner network (or the sandbox endpoint)',
      );
    }
    throw new UsageError(head, 'see the STS error above; re-run the job if it was transient');
  } finally {
    client.destroy();
  }
}

/** Who the credentials are: the account guard asks this before any engine command runs. */
export async function callerIdentity(
  opts: StsOptions,
  credentials: AwsCredentials | undefined,
  stackId: string,
): Promise<CallerIdentity> {
  const client = stsClient(opts, credentials);
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn) throw new Error('GetCallerIdentity returned no account');
    return { account: out.Account, arn: out.Arn };
  } catch (err) {
    const { code, message } = describeAwsError(err);
    throw new UsageError(
      `stack ${stackId}: GetCallerIdentity failed (${code}: ${message}); the credentials cannot be checked ` +
        'against the registry account',
      'in CI re-run the job (and check the role session policy); on a laptop sign in to the team ' +
        'account first (aws sso login, AWS_PROFILE)',
    );
  } finally {
    client.destroy();
  }
}

/**
 * The account guard: the registry, not the stack folder and not the role name, says which
 * account a team env lives in. Anything else is refused before `init` can touch a backend.
 */
export function assertAccount(
  expected: string | undefined,
  actual: CallerIdentity,
  where: { stackId: string; team: string; env: string },
): void {
  if (!expected) {
    throw new UsageError(
      `stack ${where.stackId}: idlc.yaml has no account for team "${where.team}" env "${where.env}"`,
      `set teams.${where.team}.envs.${where.env}.aws.account_id in idlc.yaml`,
    );
  }
  if (actual.account !== expected) {
    throw new UsageError(
      `stack ${where.stackId}: refusing to run: the credentials belong to account ${actual.account} ` +
        `(${actual.arn}) but idlc.yaml says team "${where.team}" env "${where.env}" is account ${expected}`,
      `use credentials for account ${expected} (or fix the role in idlc.yaml if the registry is wrong)`,
    );
  }
}

/** Environment for the engine child only: never exported to the job, never logged. */
export function awsChildEnv(creds: AwsCredentials, region: string): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
  if (creds.sessionToken) env['AWS_SESSION_TOKEN'] = creds.sessionToken;
  return env;
}
