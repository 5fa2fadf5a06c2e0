import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { assertAccount, awsChildEnv } from './aws.ts';
import { checkGcpTarget, externalAccountConfig, gcpAudience, writeGcpCredentials } from './gcp.ts';
import { idTokenAvailable, requestIdToken, unverifiedClaims } from './id-token.ts';
import { roleSessionName, SESSION_NAME_MAX } from './session-name.ts';

const STS_ALLOWED = /^[\w+=,.@-]{2,64}$/;
const where = { stackId: 'aws/search/dev', team: 'search', env: 'dev' };

describe('roleSessionName', () => {
  it('is idlc-<run>-<stack> with slashes replaced', () => {
    expect(roleSessionName('123456', 'aws/search/dev')).toBe('idlc-123456-aws-search-dev');
  });
  it('stays within STS limits for long and odd stack ids, and keeps them apart', () => {
    const a = roleSessionName('98765432101', `aws/platform/prod/${'x'.repeat(80)}/a`);
    const b = roleSessionName('98765432101', `aws/platform/prod/${'x'.repeat(80)}/b`);
    for (const n of [a, b, roleSessionName('1', 'aws/t e@m/dév/stack:ü'), roleSessionName('', '')]) {
      expect(n).toMatch(STS_ALLOWED);
      expect(n.length).toBeLessThanOrEqual(SESSION_NAME_MAX);
    }
    expect(a).not.toBe(b);
  });
});

describe('ID token', () => {
  it('names the missing permission and the fork rule when the runner gives no token', async () => {
    await expect(requestIdToken(undefined, 'sts.amazonaws.com', 'aws/search/dev')).rejects.toThrow(
      /no GitHub OIDC ID token[\s\S]*id-token: write[\s\S]*forks never receive an ID token/,
    );
    expect(idTokenAvailable({})).toBe(false);
    expect(idTokenAvailable({ ACTIONS_ID_TOKEN_REQUEST_URL: 'u', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' })).toBe(
      true,
    );
  });
  it('wraps a failing endpoint the same way', async () => {
    const failing = async () => {
      throw new Error('Failed to get ID Token.\n Error Code : 403');
    };
    await expect(requestIdToken(failing, 'sts.amazonaws.com', 's')).rejects.toThrow(
      /Failed to get ID Token\. Error Code : 403[\s\S]*id-token: write/,
    );
    await expect(requestIdToken(async () => 'not-a-jwt', 'aud', 's')).rejects.toThrow(/without a JWT/);
  });
  it('reads claims only to explain a refusal', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'repo:a/b:pull_request' })).toString('base64url');
    expect(unverifiedClaims(`x.${payload}.y`)['sub']).toBe('repo:a/b:pull_request');
    expect(unverifiedClaims('garbage')).toEqual({});
  });
});

describe('account guard', () => {
  it('passes the registry account and refuses another, naming both', () => {
    expect(() =>
      assertAccount(
        '200000000001',
        { account: '200000000001', arn: 'arn:aws:sts::200000000001:assumed-role/r/s' },
        where,
      ),
    ).not.toThrow();
    expect(() =>
      assertAccount(
        '200000000001',
        { account: '300000000001', arn: 'arn:aws:sts::300000000001:assumed-role/r/s' },
        where,
      ),
    ).toThrow(/account 300000000001[\s\S]*is account 200000000001/);
    expect(() => assertAccount(undefined, { account: '1', arn: 'a' }, where)).toThrow(/no account/);
  });
  it('puts credentials into the child env only under AWS variable names', () => {
    expect(awsChildEnv({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T' }, 'eu-west-1')).toEqual({
      AWS_ACCESS_KEY_ID: 'A',
      AWS_SECRET_ACCESS_KEY: 'S',
      AWS_SESSION_TOKEN: 'T',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });
});

describe('GCP workload identity federation', () => {
  const provider = 'projects/123456789/locations/global/workloadIdentityPools/github/providers/acme-infra';
  const sa = 'idlc-assistant-dev-plan@acme-assistant-dev.iam.gserviceaccount.com';

  it('builds the external-account file Google client libraries read', () => {
    const c = externalAccountConfig({
      workloadIdentityProvider: provider,
      serviceAccount: sa,
      tokenFile: '/t/jwt',
    });
    expect(c).toMatchObject({
      type: 'external_account',
      audience: `//iam.googleapis.com/${provider}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      credential_source: { file: '/t/jwt', format: { type: 'text' } },
    });
    expect(c.service_account_impersonation_url).toBe(
      `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${sa}:generateAccessToken`,
    );
    expect(gcpAudience(provider)).toBe(`https://iam.googleapis.com/${provider}`);
  });

  it('writes token and config 0600 in a private folder and names it only in the child env', async () => {
    const files = await writeGcpCredentials({
      token: 'h.p.s',
      workloadIdentityProvider: provider,
      serviceAccount: sa,
    });
    try {
      expect(Object.keys(files.env).sort()).toEqual([
        'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE',
        'GOOGLE_APPLICATION_CREDENTIALS',
      ]);
      const config = JSON.parse(await readFile(files.credentialFile, 'utf8'));
      expect(await readFile(config.credential_source.file, 'utf8')).toBe('h.p.s');
      expect((await stat(files.credentialFile)).mode & 0o777).toBe(0o600);
      expect((await stat(config.credential_source.file)).mode & 0o777).toBe(0o600);
      expect((await stat(files.dir)).mode & 0o777).toBe(0o700);
      // The file form never carries the runner's token-request credential.
      expect(JSON.stringify(config)).not.toMatch(/ACTIONS_ID_TOKEN|bearer/i);
    } finally {
      await files.cleanup();
    }
    await expect(stat(files.dir)).rejects.toThrow();
  });

  it('refuses a missing or malformed provider and service account', () => {
    expect(() => checkGcpTarget(undefined, sa, where)).toThrow(/no workload identity provider/);
    expect(() => checkGcpTarget('projects/x/pools/y', sa, where)).toThrow(/not a workload identity provider/);
    expect(() => checkGcpTarget(provider, 'someone@gmail.com', where)).toThrow(/not a service account/);
    expect(checkGcpTarget(provider, sa, where)).toBe(provider);
  });
});
