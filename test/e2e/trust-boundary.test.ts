import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySubject, driftSubject, planSubject } from '../../src/auth/oidc-subjects.ts';
import { parseRegistry } from '../../src/config/load.ts';
import { idlcJobWorkflowRef } from '../support/engine-sandbox.ts';
import { type JobContext, type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.ts';
import { REGISTRY_YAML } from '../support/registry-fixture.ts';
import {
  gateRoles,
  type RenderedGithubOidc,
  registryRenderInput,
  renderGithubOidc,
} from '../support/rendered-trust.ts';
import { evaluateTrustPolicy, type TrustPolicy, verifyIdToken } from '../support/sts-trust.ts';

/**
 * The AWS side of the trust boundary, end to end: the trust policies idlc/aws/modules/github-oidc
 * renders for a registry (real tofu, mocked AWS provider), tokens from the local issuer with the
 * repository's subject customization, and IAM's evaluation. Each attack of the review is a test.
 */
const REPO = 'acme/platform';
const ID = { repository: REPO, defaultBranch: 'main' };
// The fixture registry with the github block and plan review on prod.
const REGISTRY = `${REGISTRY_YAML.replace(
  '  - name: prod\n    protected: true\n',
  '  - name: prod\n    protected: true\n    plan_review: true\n',
)}github:\n  repository: ${REPO}\n  default_branch: main\n`;
const ACCOUNT = { dev: '200000000001', staging: '200000000002', prod: '200000000003' } as const;
const PR_WORKFLOW = `${REPO}/.github/workflows/evil.yml@refs/pull/7/merge`;

let rendered: RenderedGithubOidc;
let roles: Map<string, TrustPolicy>;
let issuer: OidcIssuer;

beforeAll(async () => {
  issuer = await startOidcIssuer({ repository: REPO }, { jobWorkflowRef: idlcJobWorkflowRef });
  rendered = await renderGithubOidc(registryRenderInput(parseRegistry(REGISTRY), REPO));
  roles = gateRoles(rendered, issuer.issuer);
});
afterAll(async () => {
  await issuer?.stop();
});

/** A verified token of a job in this context (plus raw claim overrides). */
async function token(ctx: Partial<JobContext>, overrides: Record<string, unknown> = {}) {
  issuer.setContext({
    eventName: 'pull_request',
    ref: 'refs/pull/7/merge',
    workflowFile: 'idlc-plan.yml',
    environment: undefined,
    jobWorkflowRef: undefined,
    ...ctx,
  });
  return await verifyIdToken(await issuer.issue('sts.amazonaws.com', overrides), issuer.issuer);
}

/** Would STS let these claims assume search's role for env/phase? */
function assumes(
  claims: Awaited<ReturnType<typeof token>>,
  env: keyof typeof ACCOUNT,
  phase: 'plan' | 'apply',
) {
  const policy = roles.get(`arn:aws:iam::${ACCOUNT[env]}:role/idlc-search-${env}-${phase}`);
  if (!policy) throw new Error(`no rendered role for search ${env} ${phase}`);
  return evaluateTrustPolicy(policy, issuer.issuer, claims).allowed;
}

describe('the github-oidc module and src/auth/oidc-subjects.ts', () => {
  it('name the same subjects for every team and env of the registry', () => {
    const registry = parseRegistry(REGISTRY);
    const review = new Set(registry.environments.filter((e) => e.plan_review).map((e) => e.name));
    expect(rendered.accounts.length).toBe(7);
    for (const a of rendered.accounts) {
      for (const env of a.environments) {
        expect(a.planSubjects[env], `${a.team}/${env}`).toEqual([
          planSubject(ID, a.team, env, review.has(env)),
          driftSubject(ID),
        ]);
        expect(a.applySubjects[env], `${a.team}/${env}`).toEqual([applySubject(ID, a.team, env)]);
      }
    }
    const search = rendered.accounts.find((a) => a.team === 'search' && a.accountId === ACCOUNT.prod);
    expect(search?.githubEnvironments).toEqual(['search-prod', 'search-prod-plan']);
  });
});

describe('who may assume which role', () => {
  it('the plan-run workflow of a pull request gets the plan role and never the apply role', async () => {
    const pr = await token({});
    expect(pr.sub).toBe(planSubject(ID, 'search', 'dev', false));
    expect(assumes(pr, 'dev', 'plan')).toBe(true);
    expect(assumes(pr, 'staging', 'plan')).toBe(true);
    expect(assumes(pr, 'dev', 'apply')).toBe(false);
  });

  it('refuses a workflow the pull request adds, for plan and for apply', async () => {
    const evil = await token({ workflowFile: 'evil.yml', jobWorkflowRef: PR_WORKFLOW });
    expect(evil.sub).toBe(`repo:${REPO}:pull_request:job_workflow_ref:${PR_WORKFLOW}`);
    // The same job in a repository without the subject customization: sub is the bare context.
    const bare = await token(
      { workflowFile: 'evil.yml', jobWorkflowRef: PR_WORKFLOW },
      { sub: `repo:${REPO}:pull_request` },
    );
    for (const env of ['dev', 'staging', 'prod'] as const) {
      for (const claims of [evil, bare]) {
        expect(assumes(claims, env, 'plan'), `${env} ${claims.sub}`).toBe(false);
        expect(assumes(claims, env, 'apply'), `${env} ${claims.sub}`).toBe(false);
      }
    }
  });

  it('refuses environment:search-dev from a pull request workflow for the apply role', async () => {
    const envJob = await token({
      environment: 'search-dev',
      workflowFile: 'evil.yml',
      jobWorkflowRef: PR_WORKFLOW,
    });
    expect(envJob.sub).toBe(`repo:${REPO}:environment:search-dev:job_workflow_ref:${PR_WORKFLOW}`);
    expect(assumes(envJob, 'dev', 'apply')).toBe(false);
    const bare = await token(
      { environment: 'search-dev', workflowFile: 'evil.yml', jobWorkflowRef: PR_WORKFLOW },
      { sub: `repo:${REPO}:environment:search-dev` },
    );
    expect(assumes(bare, 'dev', 'apply')).toBe(false);
    // Nor the apply workflow itself when pushed on another branch.
    const branch = await token({
      eventName: 'push',
      ref: 'refs/heads/feature',
      environment: 'search-dev',
      workflowFile: 'idlc-apply.yml',
    });
    expect(branch.job_workflow_ref).toBe(`${REPO}/.github/workflows/idlc-apply.yml@refs/heads/feature`);
    expect(assumes(branch, 'dev', 'apply')).toBe(false);
    // The apply workflow on main, in the environment, is the one subject that works.
    const apply = await token({ eventName: 'push', ref: 'refs/heads/main', environment: 'search-dev' });
    expect(assumes(apply, 'dev', 'apply')).toBe(true);
    expect(assumes(apply, 'staging', 'apply')).toBe(false);
    expect(assumes(apply, 'dev', 'plan')).toBe(false);
  });

  it('refuses tokens without the subject customization (the default sub names no workflow)', async () => {
    const pr = await token({}, { sub: `repo:${REPO}:pull_request` });
    const envJob = await token(
      { eventName: 'push', ref: 'refs/heads/main', environment: 'search-dev' },
      { sub: `repo:${REPO}:environment:search-dev` },
    );
    expect(assumes(pr, 'dev', 'plan')).toBe(false);
    expect(assumes(envJob, 'dev', 'apply')).toBe(false);
  });

  it('accepts the drift token for the plan roles only', async () => {
    const drift = await token({
      eventName: 'schedule',
      ref: 'refs/heads/main',
      workflowFile: 'idlc-drift.yml',
    });
    expect(drift.sub).toBe(driftSubject(ID));
    expect(assumes(drift, 'dev', 'plan')).toBe(true);
    expect(assumes(drift, 'prod', 'plan')).toBe(true);
    for (const env of ['dev', 'staging', 'prod'] as const)
      expect(assumes(drift, env, 'apply'), env).toBe(false);
    // The drift workflow dispatched on a branch is not the default branch's.
    const branch = await token({
      eventName: 'workflow_dispatch',
      ref: 'refs/heads/feature',
      workflowFile: 'idlc-drift.yml',
    });
    expect(assumes(branch, 'dev', 'plan')).toBe(false);
  });

  it("a plan-review env's plan role refuses the plain pull_request context", async () => {
    const pr = await token({});
    expect(assumes(pr, 'prod', 'plan')).toBe(false);
    const reviewed = await token({ environment: 'search-prod-plan' });
    expect(reviewed.sub).toBe(planSubject(ID, 'search', 'prod', true));
    expect(assumes(reviewed, 'prod', 'plan')).toBe(true);
    expect(assumes(reviewed, 'prod', 'apply')).toBe(false);
    expect(assumes(reviewed, 'dev', 'plan')).toBe(false);
  });
});
