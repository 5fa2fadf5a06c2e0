// actions/manifests, bundled and run as the runner runs it: the PR's manifests are validated
// with the default branch's registry and policies (a PR that weakens policy/kubernetes gains
// nothing), the result is attested, and actions/report in plan-run mode shows it next to the
// plans with an idlc/manifests check — against the strict GitHub double and the OIDC issuer.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, webhookExample } from '../support/action-runner.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let gh: GitHubDouble;
let issuer: OidcIssuer;
let work: string;

beforeAll(async () => {
  [gh, issuer] = await Promise.all([
    startGitHubDouble({ owner: 'acme', repo: 'platform', strictTokens: true, clock: 'wall' }),
    startOidcIssuer({ repository: 'acme/platform' }),
  ]);
  work = mkdtempSync(join(tmpdir(), 'idlc-manifests-e2e-'));
  for (const tree of ['trusted', 'pr']) {
    for (const part of ['idlc.yaml', 'sdlc', 'policy'])
      cpSync(join(ROOT, part), join(work, tree, part), { recursive: true });
  }
  // the default branch names the local issuer as the one that attests
  const registry = readFileSync(join(work, 'trusted', 'idlc.yaml'), 'utf8');
  writeFileSync(
    join(work, 'trusted', 'idlc.yaml'),
    registry.replace('default_branch: main', `default_branch: main\n  oidc_issuer: ${issuer.issuer}`),
  );
  // The PR: search/dev/api on the host network, and a "fix" that deletes the rule denying it.
  const overlay = join(work, 'pr', 'sdlc/teams/search/dev/api/kustomization.yaml');
  writeFileSync(
    overlay,
    `${readFileSync(overlay, 'utf8')}patches:\n  - target:\n      kind: Deployment\n      name: api\n    patch: |-\n      - op: add\n        path: /spec/template/spec/hostNetwork\n        value: true\n`,
  );
  rmSync(join(work, 'pr', 'policy/kubernetes/podsecurity'), { recursive: true, force: true });
}, 120_000);
afterAll(async () => {
  await gh?.close();
  await issuer?.stop();
  rmSync(work, { recursive: true, force: true });
});

function zipDir(dir: string): Buffer {
  const files: Record<string, Uint8Array> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else files[p] = readFileSync(join(dir, p));
    }
  };
  walk('');
  return Buffer.from(zipSync(files));
}

describe('actions/manifests: the PR’s manifests, the default branch’s policies, shown in the PR report', () => {
  it('denies the host network although the PR deleted the rule, attests it, and the report shows it with a failing check', async () => {
    const pr = gh.state.addPullRequest({ user: gh.state.user('mallory') });
    const run = gh.state.addWorkflowRun({
      path: '.github/workflows/idlc-plan.yml',
      event: 'pull_request',
      pullRequest: pr.number,
    });
    issuer.setContext({
      eventName: 'pull_request',
      ref: `refs/pull/${pr.number}/merge`,
      runId: String(run.id),
      jobWorkflowRef: 'acme/platform/.github/workflows/idlc-plan-run.yml@refs/heads/main',
    });
    const payload = webhookExample('pull_request', 'synchronize') as {
      number: number;
      pull_request: { number: number; head: { sha: string }; base: { sha: string } };
    };
    payload.number = pr.number;
    payload.pull_request.number = pr.number;
    payload.pull_request.head.sha = pr.pull!.headSha;
    payload.pull_request.base.sha = pr.pull!.baseSha;
    const resultDir = join(work, 'out');
    const res = await runAction(join(ROOT, 'actions', 'manifests'), {
      cwd: work,
      inputs: { root: 'pr', 'trusted-root': 'trusted', 'result-dir': resultDir },
      event: { name: 'pull_request', payload },
      env: {
        ...issuer.runnerEnv(),
        GITHUB_RUN_ID: String(run.id),
        GITHUB_RUN_ATTEMPT: '1',
        RUNNER_TEMP: work,
      },
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs['ok']).toBe('false');
    const result = JSON.parse(readFileSync(join(resultDir, 'results', 'manifests.json'), 'utf8'));
    const target = result.targets.find((t: { id: string }) => t.id === 'sdlc/teams/search/dev/api');
    expect(target.status).toBe('denied');
    expect(JSON.stringify(target.problems)).toMatch(/hostNetwork/);
    expect(readdirSync(resultDir).sort()).toEqual(['attestation.jwt', 'manifest.json', 'results']);

    const token = gh.issueToken({
      kind: 'workflow',
      runId: run.id,
      job: 'manifests',
      permissions: { contents: 'read' },
    });
    gh.state.uploadArtifact(token, 'idlc-plan-manifests-a1', zipDir(resultDir));
    gh.state.completeWorkflowRun(run.id, 'success');

    const me = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-report.yml', event: 'workflow_run' });
    const reportToken = gh.issueToken({
      kind: 'workflow',
      runId: me.id,
      job: 'report',
      permissions: { contents: 'read', actions: 'read', 'pull-requests': 'write', checks: 'write' },
    });
    const event = webhookExample('workflow_run', 'completed') as { workflow_run: Record<string, unknown> };
    const r = gh.state.runs.get(run.id)!;
    Object.assign(event.workflow_run, {
      id: run.id,
      path: r.path,
      event: 'pull_request',
      head_sha: r.headSha,
      head_branch: r.headBranch,
      head_repository: { ...(event.workflow_run['head_repository'] as object), full_name: 'acme/platform' },
      pull_requests: [
        {
          number: pr.number,
          id: pr.number,
          url: '',
          head: { ref: r.headBranch, sha: r.headSha, repo: {} },
          base: { ref: 'main', sha: '', repo: {} },
        },
      ],
      conclusion: 'success',
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    });
    const report = await runAction(join(ROOT, 'actions', 'report'), {
      cwd: join(work, 'trusted'),
      inputs: { mode: 'plan-run', 'github-token': reportToken, checks: 'check-runs', root: '.' },
      event: { name: 'workflow_run', payload: event },
      env: { GITHUB_API_URL: gh.url, GITHUB_GRAPHQL_URL: gh.graphqlUrl, GITHUB_RUN_ID: String(me.id) },
    });
    expect(report.code, report.stdout + report.stderr).toBe(0);
    const body = gh.state.commentsOn(pr.number)[0]?.body ?? '';
    expect(body).toContain('❌ Kubernetes manifests: problems found');
    expect(body).toContain('<code>sdlc/teams/search/dev/api</code>');
    const check = [...gh.state.checkRuns.values()].find((c) => c.name === 'idlc/manifests');
    expect(check?.conclusion).toBe('failure');
    expect(check?.headSha).toBe(pr.pull!.headSha);
  }, 180_000);
});
