import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../../test/support/github-double/index.ts';
import { type OidcIssuer, startOidcIssuer } from '../../test/support/oidc-issuer.ts';
import { publishPlanRun } from '../../test/support/plan-run.ts';
import { loadRegistry } from '../config/load.ts';
import { discoverStacks, type Stack } from '../discovery/stacks.ts';
import { createGitHubClient } from '../github/client.ts';
import { buildPlanModel } from '../plan/model.ts';
import { findPlanAnchor, type TrustContext } from './plan-anchor.ts';
import type { PlanStackResult } from './plan-stack.ts';

const repo = { owner: 'acme', repo: 'platform' };
const identity = { repository: 'acme/platform', defaultBranch: 'main' };
const root = join(import.meta.dirname, '..', '..');
// A real `tofu show -json` of a plan that creates resources.
const model = buildPlanModel(
  JSON.parse(readFileSync(join(root, 'src/plan/testdata/create.show.json'), 'utf8')),
);

let gh: GitHubDouble;
let issuer: OidcIssuer;
let stack: Stack;
let other: Stack;
let trust: TrustContext;

beforeAll(async () => {
  [gh, issuer] = await Promise.all([
    startGitHubDouble({ ...repo, strictTokens: true }),
    startOidcIssuer({ repository: identity.repository }),
  ]);
  const stacks = await discoverStacks(await loadRegistry(root));
  stack = stacks.find((s) => s.id === 'aws/search/dev') as Stack;
  other = stacks.find((s) => s.id === 'aws/assistant/dev') as Stack;
  const run = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-apply.yml', event: 'push' });
  const token = gh.issueToken({
    kind: 'workflow',
    runId: run.id,
    job: 'apply',
    permissions: { contents: 'read', actions: 'read', 'pull-requests': 'read' },
  });
  trust = {
    gh: createGitHubClient({
      token,
      apiUrl: gh.url,
      graphqlUrl: gh.graphqlUrl,
      retryBaseMs: 5,
      throttle: false,
    }).rest,
    repo,
    identity,
    issuer: issuer.issuer,
  };
});
afterAll(async () => {
  await gh?.close();
  await issuer?.stop();
});

const sha = (c: string) => c.repeat(64);
function planned(
  s: Stack,
  bundleSha: string,
  extra: Partial<PlanStackResult> = {},
): { stack: Stack; result: PlanStackResult } {
  return {
    stack: s,
    result: {
      stackId: s.id,
      dir: s.dir,
      team: s.team,
      env: s.env,
      headSha: '',
      hasChanges: true,
      denied: false,
      policy: { evaluated: true, denied: false },
      model,
      provenance: {} as PlanStackResult['provenance'],
      bundle: {
        bucket: s.target.state.bucket,
        key: `plans/${s.id}/${bundleSha}.tar`,
        sha256: bundleSha,
        bytes: 10,
      },
      principal: s.target.planRole,
      warnings: [],
      timings: { totalMs: 1, engineMs: 1, overheadMs: 0, commands: [] },
      ...extra,
    },
  };
}
const headOf = (pr: number) => {
  const p = gh.state.issues.get(pr)?.pull;
  return { number: pr, headSha: p!.headSha, headRef: p!.headRef, headRepository: identity.repository };
};

describe('the reviewed bundle is named only by the PR’s own attested plan run', () => {
  it('finds the bundle of the stack in the manifest the plan-run workflow attested', async () => {
    const pr = gh.state.addPullRequest();
    const run = await publishPlanRun({
      gh,
      issuer,
      identity,
      pr: pr.number,
      plans: [planned(stack, sha('a')), planned(other, sha('b'))],
    });
    const anchor = await findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev');
    expect(anchor.ref).toEqual({
      bucket: 'idlc-tfstate-search-200000000001',
      key: `plans/aws/search/dev/${sha('a')}.tar`,
      sha256: sha('a'),
    });
    expect(anchor.run.id).toBe(run.id);
  });

  it('ignores a manifest attested by a workflow the PR added (job_workflow_ref at refs/pull/…) and refuses', async () => {
    const pr = gh.state.addPullRequest();
    await publishPlanRun({
      gh,
      issuer,
      identity,
      pr: pr.number,
      plans: [planned(stack, sha('c'))],
      claims: {
        job_workflow_ref: `acme/platform/.github/workflows/idlc-plan.yml@refs/pull/${pr.number}/merge`,
      },
    });
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev')).rejects.toThrow(
      /no reviewed plan for PR #\d+ .* the run has no attested plan manifest \(idlc-plan-0-a1: .*job_workflow_ref is "acme\/platform\/\.github\/workflows\/idlc-plan\.yml@refs\/pull\/\d+\/merge"/,
    );
  });

  it('ignores a manifest attested for another PR’s run (a token replayed into this run)', async () => {
    const pr = gh.state.addPullRequest();
    await publishPlanRun({
      gh,
      issuer,
      identity,
      pr: pr.number,
      plans: [planned(stack, sha('d'))],
      claims: { run_id: '1' },
    });
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev')).rejects.toThrow(
      /run_id is "1", expected "\d+"/,
    );
  });

  it('does not take another PR’s successful run as this PR’s plan', async () => {
    const victim = gh.state.addPullRequest();
    const attacker = gh.state.addPullRequest({ headSha: victim.pull!.headSha, headRef: 'attacker-branch' });
    await publishPlanRun({ gh, issuer, identity, pr: attacker.number, plans: [planned(stack, sha('e'))] });
    await expect(findPlanAnchor(trust, headOf(victim.number), 'aws/search/dev')).rejects.toThrow(
      /no successful run of \.github\/workflows\/idlc-plan\.yml for PR #\d+/,
    );
  });

  it('refuses when the run attests two different plans for the stack in one attempt', async () => {
    const pr = gh.state.addPullRequest();
    // the plan-run workflow called twice in one run (a PR-edited caller can do that)
    await publishPlanRun({
      gh,
      issuer,
      identity,
      pr: pr.number,
      plans: [planned(stack, sha('1'))],
      more: [{ name: 'idlc-plan-1-a1', plans: [planned(stack, sha('2'))] }],
    });
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev')).rejects.toThrow(
      /attests two different plans for this stack in one attempt/,
    );
  });

  it('refuses a plan the run reported as denied, and a run that did not plan the stack', async () => {
    const pr = gh.state.addPullRequest();
    await publishPlanRun({
      gh,
      issuer,
      identity,
      pr: pr.number,
      plans: [planned(stack, sha('9'), { denied: true })],
    });
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev')).rejects.toThrow(
      /was denied by policy/,
    );
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/assistant/dev')).rejects.toThrow(
      /the run did not plan this stack/,
    );
  });

  it('refuses an artifact whose result file does not match its manifest, or that inflates past the limit', async () => {
    const pr = gh.state.addPullRequest();
    const run = gh.state.addWorkflowRun({
      path: '.github/workflows/idlc-plan.yml',
      event: 'pull_request',
      pullRequest: pr.number,
    });
    const token = gh.issueToken({
      kind: 'workflow',
      runId: run.id,
      job: 'evil',
      permissions: { contents: 'read' },
    });
    // a zip bomb: one entry declaring 1 GiB after inflation
    const bomb = zipSync({ 'manifest.json': new Uint8Array(9 * 1024 * 1024) }, { level: 9 });
    gh.state.uploadArtifact(token, 'idlc-plan-9-a1', Buffer.from(bomb));
    gh.state.completeWorkflowRun(run.id, 'success');
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev')).rejects.toThrow(
      /idlc-plan-9-a1: artifact "idlc-plan-9-a1" \(\d+\) refused: manifest\.json inflates to 9437184 bytes/,
    );
  });
  it('fails closed when the Actions API cannot be read, naming the permission', async () => {
    const pr = gh.state.addPullRequest();
    await publishPlanRun({ gh, issuer, identity, pr: pr.number, plans: [planned(stack, sha('7'))] });
    gh.injectFault({ route: 'actions/list-workflow-run-artifacts', status: 404 });
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev')).rejects.toThrow(
      /cannot list the artifacts of workflow run \d+ \(HTTP 404\)[\s\S]*actions: read/,
    );
    gh.injectFault({ route: 'actions/list-workflow-runs', status: 500, times: 10 });
    await expect(findPlanAnchor(trust, headOf(pr.number), 'aws/search/dev')).rejects.toThrow(
      /cannot look up the plan runs of PR #\d+[\s\S]*nothing was applied/,
    );
  });
});
