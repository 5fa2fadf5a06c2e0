// actions/report in plan-run mode (idlc-report.yml, workflow_run of "idlc plan"), bundled and
// run as the runner runs it, against the strict GitHub double and the local OIDC issuer: the
// PR comment and checks come only from what the default branch's plan workflow attested.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/config/load.ts';
import { discoverStacks, type Stack } from '../../src/discovery/stacks.ts';
import type { PlanStackResult } from '../../src/engine/plan-stack.ts';
import { buildPlanModel } from '../../src/plan/model.ts';
import { PLAN_MARKER } from '../../src/report/markers.ts';
import { runAction, webhookExample } from '../support/action-runner.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.ts';
import { publishPlanRun } from '../support/plan-run.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const actionDir = join(ROOT, 'actions', 'report');
const identity = { repository: 'acme/platform', defaultBranch: 'main' };
const model = (name: string) =>
  buildPlanModel(JSON.parse(readFileSync(join(ROOT, `src/plan/testdata/${name}.show.json`), 'utf8')));

let gh: GitHubDouble;
let issuer: OidcIssuer;
let stacks: Stack[];
let checkout: string;

beforeAll(async () => {
  [gh, issuer] = await Promise.all([
    startGitHubDouble({ owner: 'acme', repo: 'platform', strictTokens: true }),
    startOidcIssuer({ repository: identity.repository }),
  ]);
  stacks = await discoverStacks(await loadRegistry(ROOT));
  // The default branch's checkout the report job has: this repository's registry, with the
  // test issuer as the one whose tokens attest plans.
  checkout = mkdtempSync(join(tmpdir(), 'idlc-report-checkout-'));
  writeFileSync(
    join(checkout, 'idlc.yaml'),
    readFileSync(join(ROOT, 'idlc.yaml'), 'utf8').replace(
      'default_branch: main',
      `default_branch: main\n  oidc_issuer: ${issuer.issuer}`,
    ),
  );
});
afterAll(async () => {
  await gh?.close();
  await issuer?.stop();
  rmSync(checkout, { recursive: true, force: true });
});

const stack = (id: string) => stacks.find((s) => s.id === id) as Stack;
function planned(id: string, showJson: string, bundle: string): { stack: Stack; result: PlanStackResult } {
  const s = stack(id);
  const m = model(showJson);
  return {
    stack: s,
    result: {
      stackId: s.id,
      dir: s.dir,
      team: s.team,
      env: s.env,
      headSha: '',
      hasChanges: m.hasChanges,
      denied: false,
      policy: { evaluated: true, denied: false },
      model: m,
      provenance: {} as PlanStackResult['provenance'],
      bundle: {
        bucket: s.target.state.bucket,
        key: `plans/${s.id}/${bundle.repeat(64)}.tar`,
        sha256: bundle.repeat(64),
        bytes: 1,
      },
      principal: s.target.planRole,
      warnings: [],
      timings: { totalMs: 1, engineMs: 1, overheadMs: 0, commands: [] },
    },
  };
}

/** The workflow_run event GitHub sends when the plan run completes (a real payload, our run put in). */
function runEvent(run: ReturnType<typeof gh.state.addWorkflowRun>) {
  const payload = webhookExample('workflow_run', 'completed') as { workflow_run: Record<string, unknown> };
  Object.assign(payload.workflow_run, {
    id: run.id,
    name: 'idlc plan',
    path: run.path,
    event: run.event,
    head_sha: run.headSha,
    head_branch: run.headBranch,
    head_repository: {
      ...(payload.workflow_run['head_repository'] as object),
      full_name: run.headRepository ?? identity.repository,
    },
    pull_requests: run.pullRequests.map((n) => ({
      number: n,
      id: n,
      url: '',
      head: { ref: run.headBranch, sha: run.headSha, repo: {} },
      base: { ref: 'main', sha: '', repo: {} },
    })),
    conclusion: gh.state.runs.get(run.id)?.conclusion,
    created_at: run.createdAt,
    updated_at: gh.state.runs.get(run.id)?.updatedAt,
    html_url: `https://github.com/${identity.repository}/actions/runs/${run.id}`,
  });
  return payload;
}

async function report(run: ReturnType<typeof gh.state.addWorkflowRun>) {
  const me = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-report.yml', event: 'workflow_run' });
  const token = gh.issueToken({
    kind: 'workflow',
    runId: me.id,
    job: 'report',
    permissions: { contents: 'read', actions: 'read', 'pull-requests': 'write', checks: 'write' },
  });
  return await runAction(actionDir, {
    cwd: checkout,
    inputs: { mode: 'plan-run', 'github-token': token, checks: 'check-runs', root: '.' },
    event: { name: 'workflow_run', payload: runEvent(run) },
    env: {
      GITHUB_API_URL: gh.url,
      GITHUB_GRAPHQL_URL: gh.graphqlUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: String(me.id),
    },
  });
}

describe('actions/report plan-run: the comment shows only what the default branch attested', () => {
  it('renders the attested stacks, names the unattested artifact it ignored, and posts the checks on the head', async () => {
    const pr = gh.state.addPullRequest({ user: gh.state.user('mallory') });
    const run = await publishPlanRun({
      gh,
      issuer,
      identity,
      pr: pr.number,
      plans: [planned('aws/search/dev', 'create', 'a'), planned('aws/assistant/dev', 'delete', 'b')],
    });
    // A job the PR added to the same run uploads a result that says the destroying plan is harmless.
    // (publishPlanRun completed the run; this models an upload that happened while it ran.)
    const forged = JSON.parse(JSON.stringify(planned('aws/assistant/dev', 'create', 'c')));
    const runAgain = gh.state.addWorkflowRun({
      path: run.path,
      event: 'pull_request',
      pullRequest: pr.number,
    });
    const evil = gh.issueToken({
      kind: 'workflow',
      runId: runAgain.id,
      job: 'evil',
      permissions: { contents: 'read' },
    });
    gh.state.uploadArtifact(
      evil,
      'idlc-plan-7-a1',
      Buffer.from(zipSync({ 'manifest.json': new TextEncoder().encode(JSON.stringify(forged)) })),
    );
    gh.state.completeWorkflowRun(runAgain.id, 'success');

    const res = await report(run);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const comments = gh.state.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    expect(body.startsWith(PLAN_MARKER)).toBe(true);
    expect(body).toContain('aws/search/dev');
    expect(body).toContain('aws/assistant/dev');
    // the destroying plan reads as what it is
    expect(body).toContain('- terraform_data.old_queue  # destroy');
    expect(body).toContain(`plan bundle sha256 <code>${'b'.repeat(64)}</code>`);
    const checks = [...gh.state.checkRuns.values()]
      .filter((c) => c.headSha === pr.pull!.headSha)
      .map((c) => c.name)
      .sort();
    expect(checks).toEqual(['idlc/plan', 'idlc/plan: assistant/dev', 'idlc/plan: search/dev']);

    // The forged artifact sits in another run of the same PR: reporting that run shows nothing
    // but the warning that it was ignored.
    const second = await report(runAgain);
    expect(second.code, second.stdout).toBe(0);
    const after = gh.state.commentsOn(pr.number)[0]?.body ?? '';
    expect(after).toMatch(
      /1 artifact\(s\) of the plan run were not attested by the default branch's plan workflow and were ignored/,
    );
    expect(after).toMatch(/idlc-plan-7-a1: no attestation\.jwt/);
    expect(after).not.toContain('cccccccccccc');
  });

  it('leaves the comment alone when the PR moved on to a newer head', async () => {
    const pr = gh.state.addPullRequest();
    const run = await publishPlanRun({
      gh,
      issuer,
      identity,
      pr: pr.number,
      plans: [planned('aws/search/dev', 'create', 'd')],
    });
    gh.state.pushToPullRequest(pr.number);
    const res = await report(run);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/has moved on/);
    expect(gh.state.commentsOn(pr.number)).toHaveLength(0);
  });

  it('says why a fork PR has no plan (GitHub gives forks no ID token)', async () => {
    const pr = gh.state.addPullRequest({ headRef: 'patch-1', headRepository: 'outsider/platform' });
    const run = gh.state.addWorkflowRun({
      path: '.github/workflows/idlc-plan.yml',
      event: 'pull_request',
      pullRequest: pr.number,
      headRepository: 'outsider/platform',
      conclusion: 'failure',
    });
    const res = await report(run);
    expect(res.code, res.stdout).toBe(0);
    const body = gh.state.commentsOn(pr.number)[0]?.body ?? '';
    expect(body).toMatch(/This PR comes from a fork: GitHub gives fork PRs no ID token/);
  });
});
