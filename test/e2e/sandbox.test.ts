// The product's entry points, executed: the repository's workflow files run by act (real act,
// tofu, opa, moto) in the sandbox — a pull request through idlc-plan.yml and idlc-report.yml,
// a second push, the merge through idlc-apply.yml, a promotion through idlc-promote.yml.
// One sandbox for the file; the cases follow one pull request's life and depend on each other.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanManifestSchema } from '../../src/engine/plan-manifest.ts';
import { PLAN_MARKER } from '../../src/report/markers.ts';
import { DEMO_CHANGE } from '../../src/sandbox/demo.ts';
import { PEOPLE, repoRoot, Sandbox, type WorkflowRunOutcome } from '../../src/sandbox/sandbox.ts';

// The working tree the sandbox repository is made from (default: this checkout).
const SOURCE = process.env['IDLC_SANDBOX_SOURCE'] ?? repoRoot();
const TEAM_STACKS = ['aws/assistant/dev', 'aws/assistant/prod', 'aws/assistant/staging'].concat([
  'aws/search/dev',
  'aws/search/prod',
  'aws/search/staging',
]);

let sb: Sandbox;
let out: string;
const log: string[] = [];
let pr = 0;
let planRuns: WorkflowRunOutcome[] = [];

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'idlc-sandbox-e2e-'));
  sb = await Sandbox.up({ root: SOURCE, out, say: (l) => log.push(l) });
}, 180_000);

afterAll(async () => {
  await sb?.down();
  if (process.env['IDLC_SANDBOX_KEEP_OUT']) console.log(`sandbox results: ${out}\n${log.join('\n')}`);
  else await rm(out, { recursive: true, force: true });
});

const failed = (runs: WorkflowRunOutcome[]) =>
  runs.filter((r) => r.conclusion !== 'success').map((r) => `${r.workflow}: see ${r.outDir}/act.log`);

async function change(suffix: string) {
  const main = await sb.git.rev('refs/heads/main');
  const tree = await sb.git.tree(main);
  return {
    [DEMO_CHANGE.stack]: String(tree.get(DEMO_CHANGE.stack)).replace(
      '  settings = {\n',
      `  settings = {\n    batch = "${suffix}"\n`,
    ),
    [DEMO_CHANGE.module]: String(tree.get(DEMO_CHANGE.module)).replace(
      '    settings = var.settings\n',
      '    settings = var.settings\n    owner    = "idlc-sandbox"\n',
    ),
  };
}

/** The attested manifests of a plan run, from its artifacts in the double. */
function manifests(runId: number) {
  return [...sb.gh.state.artifacts.values()]
    .filter((a) => a.runId === runId && a.name.startsWith('idlc-plan-'))
    .map((a) => {
      const files = unzipSync(new Uint8Array(a.zip));
      return PlanManifestSchema.parse(
        JSON.parse(Buffer.from(files['manifest.json'] as Uint8Array).toString()),
      );
    });
}

describe('a pull request through the workflow files', () => {
  it('idlc-plan.yml plans every affected stack with attested manifests; idlc-report.yml writes the comment and checks', async () => {
    const opened = await sb.openPullRequest({
      title: DEMO_CHANGE.title,
      branch: DEMO_CHANGE.branch,
      changes: await change('64'),
    });
    pr = opened.number;
    planRuns = await sb.planPullRequest(pr);
    expect(failed(planRuns)).toEqual([]);
    expect(planRuns.map((r) => `${r.event} ${r.workflow}`)).toEqual([
      'pull_request idlc plan',
      'workflow_run idlc report',
    ]);

    // every plan job attested its manifest with the plan-run workflow's ID token
    const planRun = planRuns[0] as WorkflowRunOutcome;
    const attested = manifests(planRun.runId);
    expect(attested.flatMap((m) => m.stacks.map((s) => s.id)).sort()).toEqual(TEAM_STACKS);
    expect(sb.oidc.issued.filter((t) => t.audience.startsWith('idlc-plan-manifest:'))).toHaveLength(6);
    expect(new Set(sb.oidc.issued.map((t) => t.jobWorkflowRef))).toEqual(
      new Set(['acme/platform/.github/workflows/idlc-plan-run.yml@refs/heads/main']),
    );
    // prod plans ran behind <team>-prod-plan, approved by the sandbox, which said so
    expect(log.some((l) => /approving environment search-prod-plan/.test(l))).toBe(true);

    // the sticky comment shows what was attested: each stack, its changes and its bundle
    const view = sb.pullRequestView(pr);
    const comment = view.sticky?.body ?? '';
    expect(comment.startsWith(PLAN_MARKER)).toBe(true);
    expect(comment).toContain('6 stacks planned · 6 with changes');
    for (const m of attested) {
      for (const s of m.stacks) {
        expect(comment).toContain(`<code>${s.id}</code>`);
        expect(comment).toContain(s.bundle?.sha256 as string);
      }
    }
    expect(comment).toContain('input.settings.batch = "64"');
    expect(view.comments.filter((c) => c.body.startsWith(PLAN_MARKER))).toHaveLength(1);
    expect(view.checks.map((c) => `${c.name} ${c.conclusion}`).sort()).toEqual(
      [...TEAM_STACKS.map((s) => `idlc/plan: ${s.slice(4)} success`), 'idlc/plan success'].sort(),
    );
    // the GitHub double saw no request it would not accept from GitHub's description
    expect(sb.gh.violations).toEqual([]);
  }, 300_000);

  it('a second push updates the same sticky comment and checks the new head', async () => {
    const before = sb.pullRequestView(pr);
    await sb.pushToPullRequest(pr, await change('128'), 'search dev: batch 128');
    const runs = await sb.planPullRequest(pr, 'synchronize');
    expect(failed(runs)).toEqual([]);
    planRuns = runs;
    const after = sb.pullRequestView(pr);
    expect(after.headSha).not.toBe(before.headSha);
    expect(after.sticky?.id).toBe(before.sticky?.id);
    expect(after.sticky?.body).toContain('input.settings.batch = "128"');
    expect(after.sticky?.body).not.toContain('input.settings.batch = "64"');
    expect(after.comments.filter((c) => c.body.startsWith(PLAN_MARKER))).toHaveLength(1);
    expect(after.checks.find((c) => c.name === 'idlc/plan')?.conclusion).toBe('success');
  }, 300_000);

  it('after approval and merge, idlc-apply.yml applies the reviewed plans, prod behind its environment', async () => {
    for (const login of new Set(Object.values(PEOPLE.reviewers))) sb.review(pr, login);
    const runs = await sb.merge(pr);
    expect(failed(runs)).toEqual([]);
    expect(runs.map((r) => r.workflow)).toEqual(['idlc apply']);
    expect(log.some((l) => /approving environment search-prod for run/.test(l))).toBe(true);
    // the apply roles were assumed from the apply workflow at main, in each stack's environment
    const applyTokens = sb.oidc.issued.filter((t) => t.runId === runs[0]?.runId && t.environment);
    expect(new Set(applyTokens.map((t) => t.environment))).toEqual(
      new Set(TEAM_STACKS.map((s) => s.slice(4).replace('/', '-'))),
    );
    for (const t of applyTokens) {
      expect(t.jobWorkflowRef).toBe('acme/platform/.github/workflows/idlc-apply.yml@refs/heads/main');
    }
    // state in moto for every stack, and the apply comment on the PR
    const { registry } = await sb.registry();
    for (const id of TEAM_STACKS) {
      const [, team = '', env = ''] = id.split('/');
      const bucket = `idlc-tfstate-${team}-${registry.teams[team]?.envs[env]?.aws?.account_id}`;
      expect(await sb.moto.listKeys(bucket, `${env}/`)).toContain(`${env}/main/terraform.tfstate`);
    }
    expect(sb.pullRequestView(pr).apply?.body).toMatch(/applied/i);
    // the gitops job wrote each search stack's `workload` output (from its new state) into the
    // rag overlay of that env, one commit per stack on main
    const tree = await sb.git.tree(await sb.git.rev('refs/heads/main'));
    for (const env of ['dev', 'staging', 'prod']) {
      const bucket = `idlc-tfstate-search-${registry.teams['search']?.envs[env]?.aws?.account_id}`;
      const state = JSON.parse(await sb.moto.getText(bucket, `${env}/main/terraform.tfstate`));
      const id = state.outputs?.workload?.value?.rag?.SERVICE_ID;
      expect(id, env).toMatch(/^[0-9a-f-]{36}$/);
      expect(String(tree.get(`sdlc/teams/search/${env}/rag/infra-outputs.env`)), env).toContain(
        `SERVICE_ID=${id}`,
      );
    }
    // what was applied is what was reviewed: each stack's result sits beside the bundle the
    // final plan run attested (plans/<stack>/<sha256>.…), written by the apply role
    for (const m of manifests((planRuns[0] as WorkflowRunOutcome).runId)) {
      for (const s of m.stacks) {
        const keys = await sb.moto.listKeys(s.bundle?.bucket as string, `plans/${s.id}/`);
        expect(keys, s.id).toContain(s.bundle?.key);
        expect(
          keys.some((k) => k.startsWith(`plans/${s.id}/${s.bundle?.sha256}.result.`)),
          s.id,
        ).toBe(true);
      }
    }
  }, 300_000);

  it('idlc-promote.yml promotes an app dev → staging with one commit on main', async () => {
    const before = await sb.git.rev('refs/heads/main');
    const runs = await sb.dispatch('.github/workflows/idlc-promote.yml', {
      team: 'search',
      app: 'api',
      from: 'dev',
      to: 'staging',
      'dry-run': false,
    });
    expect(failed(runs)).toEqual([]);
    const after = await sb.git.rev('refs/heads/main');
    expect(after).not.toBe(before);
    const tree = await sb.git.tree(after);
    const dev = String(tree.get('sdlc/teams/search/dev/api/kustomization.yaml'));
    const staging = String(tree.get('sdlc/teams/search/staging/api/kustomization.yaml'));
    const tag = (t: string) => /newTag: "?([^"\n]+)"?/.exec(t)?.[1];
    expect(tag(staging)).toBe(tag(dev));
  }, 120_000);

  it('idlc-promote.yml opens a promotion PR for a protected target, with the team as reviewers', async () => {
    // staging runs a newer embed than prod (an earlier promotion, committed straight to main)
    const file = 'sdlc/teams/search/staging/embed/kustomization.yaml';
    const text = String((await sb.git.tree(await sb.git.rev('refs/heads/main'))).get(file));
    await sb.git.commit({
      branch: 'main',
      message: 'search/embed 0.2.0 in staging',
      changes: { [file]: text.replace(/newTag: "?[^"\n]+"?/, 'newTag: "0.2.0"') },
    });
    await sb.syncFromGit();
    const before = await sb.git.rev('refs/heads/main');
    const runs = await sb.dispatch('.github/workflows/idlc-promote.yml', {
      team: 'search',
      app: 'embed',
      from: 'staging',
      to: 'prod',
      'dry-run': false,
    });
    expect(failed(runs)).toEqual([]);
    expect(await sb.git.rev('refs/heads/main')).toBe(before);
    const promotion = [...sb.gh.state.issues.values()].find((i) =>
      i.pull?.headRef.startsWith('promote/search/embed/prod'),
    );
    expect(promotion?.state).toBe('open');
    // the branch exists in git too, so a checkout of the promotion PR sees its commit
    expect(await sb.git.rev(`refs/heads/${promotion?.pull?.headRef}`)).toBe(promotion?.pull?.headSha);
  }, 120_000);
});
