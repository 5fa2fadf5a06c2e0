import { evaluate } from '@marcbachmann/cel-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idlcJobWorkflowRef } from '../../test/support/engine-sandbox.ts';
import {
  discoveryMethod,
  discoveryProblems,
  type GoogleStsDouble,
  IAM_CREDENTIALS_DISCOVERY,
  type RenderedAccess,
  renderProjectBaselineAccess,
  STS_DISCOVERY,
  startGoogleStsDouble,
} from '../../test/support/gcp-sts-double.ts';
import { type OidcIssuer, startOidcIssuer } from '../../test/support/oidc-issuer.ts';
import { gcpAudience } from './gcp.ts';
import { cachedTokenProvider, gcpAccessToken, googleEndpoints } from './gcp-token.ts';
import { applySubject, driftSubject, planSubject } from './oidc-subjects.ts';

/**
 * The toolkit's GCP token path (STS exchange, then impersonation) against the loopback double,
 * configured from what idlc/gcp/modules/project-baseline renders with the real tofu, and with
 * GitHub ID tokens signed by the local issuer.
 */
const REPO = 'acme/infra';
const id = { repository: REPO, defaultBranch: 'main' };
let issuer: OidcIssuer;
let sts: GoogleStsDouble;
let access: RenderedAccess;
let reviewed: RenderedAccess;

beforeAll(async () => {
  [issuer, sts, access, reviewed] = await Promise.all([
    startOidcIssuer({ repository: REPO }, { jobWorkflowRef: idlcJobWorkflowRef }),
    startGoogleStsDouble(),
    renderProjectBaselineAccess({
      team: 'assistant',
      env: 'dev',
      projectNumber: '123456789012',
      projectId: 'acme-assistant-dev',
      repository: REPO,
      environments: ['assistant-dev'],
      stateBucket: 'idlc-tfstate-assistant-acme-assistant-dev',
    }),
    renderProjectBaselineAccess({
      team: 'assistant',
      env: 'prod',
      projectNumber: '123456789013',
      projectId: 'acme-assistant-prod',
      repository: REPO,
      environments: ['assistant-prod'],
      planReview: true,
      repositoryOwnerId: '987654',
    }),
  ]);
  sts.addProject(access, issuer.issuer);
  sts.addProject(reviewed, issuer.issuer);
});
afterAll(async () => {
  await sts?.stop();
  await issuer?.stop();
});

const PLAN_JOB = { eventName: 'pull_request' as const, ref: 'refs/pull/7/merge', environment: undefined };
const APPLY_JOB = { eventName: 'push' as const, ref: 'refs/heads/main', environment: 'assistant-dev' };

async function tokenFor(
  job: Parameters<OidcIssuer['setContext']>[0],
  serviceAccount: string,
  rendered = access,
  overrides: Record<string, unknown> = {},
) {
  issuer.setContext({ jobWorkflowRef: undefined, repository: REPO, ...job });
  const idToken = await issuer.issue(gcpAudience(rendered.providerName), overrides);
  return await gcpAccessToken({
    idToken,
    workloadIdentityProvider: rendered.providerName,
    serviceAccount,
    stackId: 'gcp/assistant/dev',
    endpoints: googleEndpoints(sts.endpoint),
  });
}

describe('project-baseline renders the subjects of src/auth/oidc-subjects.ts', () => {
  it('plan (pull_request, or the plan review environment), drift and apply subjects are the same strings', () => {
    expect(access.planSubjects).toEqual([planSubject(id, 'assistant', 'dev', false), driftSubject(id)]);
    expect(access.applySubjects).toEqual([applySubject(id, 'assistant', 'dev')]);
    expect(reviewed.planSubjects).toEqual([planSubject(id, 'assistant', 'prod', true), driftSubject(id)]);
    expect(reviewed.applySubjects).toEqual([applySubject(id, 'assistant', 'prod')]);
    // written out once, so a change on both sides is still noticed
    expect(access.planSubjects[0]).toBe(
      'repo:acme/infra:pull_request:job_workflow_ref:acme/infra/.github/workflows/idlc-plan-run.yml@refs/heads/main',
    );
    expect(access.members[access.applySubjects[0]!]).toBe(
      'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/attribute.sub/repo:acme/infra:environment:assistant-dev:job_workflow_ref:acme/infra/.github/workflows/idlc-apply.yml@refs/heads/main',
    );
    expect(reviewed.attributeCondition).toContain("assertion.repository_owner_id == '987654'");
  });
});

describe('GitHub ID token → STS → service account access token', () => {
  it('a PR plan job of the default branch plan-run workflow gets the plan account, with requests in the discovery shapes', async () => {
    const before = sts.received.length;
    const t = await tokenFor(PLAN_JOB, access.planServiceAccount);
    expect(t.token).toMatch(/^ya29\./);
    expect(t.expiresAt.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(sts.accessTokens.get(t.token)?.serviceAccount).toBe(access.planServiceAccount);
    const [exchange, impersonate] = sts.received.slice(before);
    expect(exchange).toMatchObject({
      api: 'sts.token',
      contentType: 'application/json',
      body: {
        grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: `//iam.googleapis.com/${access.providerName}`,
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
        scope: 'https://www.googleapis.com/auth/cloud-platform',
      },
    });
    expect(impersonate).toMatchObject({
      api: 'iamcredentials.generateAccessToken',
      body: { scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' },
    });
  });

  it('the plan job cannot act as the apply account', async () => {
    await expect(tokenFor(PLAN_JOB, access.applyServiceAccount)).rejects.toThrow(
      /cannot act as idlc-assistant-dev-apply@acme-assistant-dev\.iam\.gserviceaccount\.com: 403 PERMISSION_DENIED/,
    );
  });

  it('the apply workflow of the default branch in environment <team>-<env> gets the apply account; without the environment it does not', async () => {
    const t = await tokenFor(APPLY_JOB, access.applyServiceAccount);
    expect(sts.accessTokens.get(t.token)?.attributes['attribute.sub']).toBe(
      applySubject(id, 'assistant', 'dev'),
    );
    await expect(
      tokenFor({ ...APPLY_JOB, environment: undefined }, access.applyServiceAccount),
    ).rejects.toThrow(/403 PERMISSION_DENIED/);
    // another env's environment: the dev apply account is not for it
    await expect(
      tokenFor({ ...APPLY_JOB, environment: 'assistant-prod' }, access.applyServiceAccount),
    ).rejects.toThrow(/403 PERMISSION_DENIED/);
  });

  it('a workflow a pull request adds, and another repository, are refused at the exchange by the attribute condition', async () => {
    await expect(
      tokenFor(
        { ...PLAN_JOB, jobWorkflowRef: `${REPO}/.github/workflows/evil.yml@refs/pull/7/merge` },
        access.planServiceAccount,
      ),
    ).rejects.toThrow(
      /Google STS refused .*: 400 unauthorized_client: The given credential is rejected by the attribute condition/,
    );
    await expect(
      tokenFor(
        { ...PLAN_JOB, jobWorkflowRef: `${REPO}/.github/workflows/idlc-plan-run.yml@refs/heads/feature` },
        access.planServiceAccount,
      ),
    ).rejects.toThrow(/rejected by the attribute condition/);
    await expect(
      tokenFor({ ...PLAN_JOB, repository: 'evil/infra' }, access.planServiceAccount),
    ).rejects.toThrow(/rejected by the attribute condition/);
    // the owner pin: same repository name, another owner id
    await expect(
      tokenFor({ ...PLAN_JOB, environment: 'assistant-prod-plan' }, reviewed.planServiceAccount, reviewed, {
        repository_owner_id: '1',
      }),
    ).rejects.toThrow(/rejected by the attribute condition/);
    const ok = await tokenFor(
      { ...PLAN_JOB, environment: 'assistant-prod-plan' },
      reviewed.planServiceAccount,
      reviewed,
    );
    expect(ok.token).toMatch(/^ya29\./);
  });

  it('refuses a token for another audience, an expired token, and a token of another issuer', async () => {
    await expect(
      tokenFor(PLAN_JOB, access.planServiceAccount, access, { aud: 'sts.amazonaws.com' }),
    ).rejects.toThrow(/400 invalid_grant: The audience in ID Token does not match/);
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expect(
      tokenFor(PLAN_JOB, access.planServiceAccount, access, { iat: past, nbf: past, exp: past + 300 }),
    ).rejects.toThrow(/400 invalid_grant: The ID Token has expired/);
    const other = await startOidcIssuer({ repository: REPO }, { jobWorkflowRef: idlcJobWorkflowRef });
    try {
      const forged = await other.issue(gcpAudience(access.providerName), { iss: issuer.issuer });
      await expect(
        gcpAccessToken({
          idToken: forged,
          workloadIdentityProvider: access.providerName,
          serviceAccount: access.planServiceAccount,
          stackId: 'gcp/assistant/dev',
          endpoints: googleEndpoints(sts.endpoint),
        }),
      ).rejects.toThrow(/400 invalid_grant: Invalid ID Token/);
    } finally {
      await other.stop();
    }
  });

  it('an unknown provider is an invalid target', async () => {
    const idToken = await issuer.issue(gcpAudience(`${access.poolName}/providers/nope-nope`));
    await expect(
      gcpAccessToken({
        idToken,
        workloadIdentityProvider: `${access.poolName}/providers/nope-nope`,
        serviceAccount: access.planServiceAccount,
        stackId: 'gcp/assistant/dev',
        endpoints: googleEndpoints(sts.endpoint),
      }),
    ).rejects.toThrow(/400 invalid_target/);
  });

  it('caches the token until close to its expiry, then fetches a new one', async () => {
    let now = 0;
    let calls = 0;
    const provider = cachedTokenProvider(
      async () => ({ token: `t${++calls}`, expiresAt: new Date(3600_000) }),
      () => now,
    );
    expect(await provider()).toBe('t1');
    now = 3400_000;
    expect(await provider()).toBe('t1');
    now = 3500_000;
    expect(await provider()).toBe('t2');
  });
});

describe("the double follows Google's discovery documents", () => {
  it('knows the methods and refuses what Google refuses', () => {
    const token = discoveryMethod(STS_DISCOVERY, 'sts.token');
    expect(token).toMatchObject({ httpMethod: 'POST', path: 'v1/token' });
    const gen = discoveryMethod(
      IAM_CREDENTIALS_DISCOVERY,
      'iamcredentials.projects.serviceAccounts.generateAccessToken',
    );
    expect(gen).toMatchObject({ httpMethod: 'POST', path: 'v1/{+name}:generateAccessToken' });
    const req = { $ref: token.request!.$ref };
    expect(discoveryProblems(STS_DISCOVERY, req, { grantType: 'x', subjectToken: 'y' })).toEqual([]);
    expect(discoveryProblems(STS_DISCOVERY, req, { grantType: 'x', subject: 'y' })).toEqual([
      '$: unknown field "subject" (Cannot find field)',
    ]);
    expect(
      discoveryProblems(
        IAM_CREDENTIALS_DISCOVERY,
        { $ref: gen.request!.$ref },
        { scope: 'one', lifetime: '1h' },
      ),
    ).toEqual(['$.scope: expected an array', '$.lifetime: "1h" is not a google-duration']);
    expect(
      discoveryProblems(
        IAM_CREDENTIALS_DISCOVERY,
        { $ref: gen.response!.$ref },
        {
          accessToken: 'ya29.x',
          expireTime: '2026-12-02T10:00:00Z',
        },
      ),
    ).toEqual([]);
  });
});

describe('the state bucket conditions project-baseline renders (CEL on resource.name)', () => {
  const bucket = 'idlc-tfstate-assistant-acme-assistant-dev';
  const obj = (name: string) => `projects/_/buckets/${bucket}/objects/${name}`;
  const allows = (grant: string, name: string) =>
    evaluate(access.storageConditions[grant]!, { resource: { name } }) === true;
  const sha = 'a'.repeat(64);

  it('plan creates bundles of its env only; apply creates records of its env only; neither touches the other', () => {
    expect(allows('plan_bundles', obj(`plans/gcp/assistant/dev/${sha}.tar`))).toBe(true);
    expect(allows('plan_bundles', obj(`plans/gcp/assistant/dev/sub/${sha}.tar`))).toBe(true);
    expect(allows('plan_bundles', obj(`plans/gcp/assistant/prod/${sha}.tar`))).toBe(false);
    expect(allows('plan_bundles', obj(`plans/gcp/assistant/dev/${sha}.claim.1.json`))).toBe(false);
    expect(allows('apply_records', obj(`plans/gcp/assistant/dev/${sha}.claim.1.json`))).toBe(true);
    expect(allows('apply_records', obj(`plans/gcp/assistant/dev/${sha}.result.1.json`))).toBe(true);
    expect(allows('apply_records', obj(`plans/gcp/assistant/dev/${sha}.tar`))).toBe(false);
    expect(allows('apply_records', obj(`plans/gcp/other/dev/${sha}.claim.1.json`))).toBe(false);
  });

  it('locks and state writes (with delete) never reach the plans folder', () => {
    expect(allows('plan_locks', obj('dev/main/default.tflock'))).toBe(true);
    expect(allows('plan_locks', obj('dev/main/default.tfstate'))).toBe(false);
    expect(allows('plan_locks', obj(`plans/gcp/assistant/dev/${sha}.tflock`))).toBe(false);
    expect(allows('apply_state', obj('dev/main/default.tfstate'))).toBe(true);
    expect(allows('apply_state', obj('dev/main/default.tflock'))).toBe(true);
    expect(allows('apply_state', obj(`plans/gcp/assistant/dev/${sha}.tar`))).toBe(false);
    expect(allows('apply_state', obj(`plans/gcp/assistant/dev/${sha}.claim.1.json`))).toBe(false);
  });

  it("the apply account's project-wide storage roles reach other buckets, never the state bucket", () => {
    expect(allows('apply_project_storage', 'projects/_/buckets/acme-training-data')).toBe(true);
    expect(allows('apply_project_storage', 'projects/_/buckets/acme-training-data/objects/x')).toBe(true);
    expect(allows('apply_project_storage', `projects/_/buckets/${bucket}`)).toBe(false);
    expect(allows('apply_project_storage', obj(`plans/gcp/assistant/dev/${sha}.tar`))).toBe(false);
    expect(allows('apply_project_storage', obj('dev/main/default.tfstate'))).toBe(false);
  });
});
