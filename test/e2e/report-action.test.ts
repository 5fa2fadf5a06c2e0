// actions/report, bundled, run exactly as the runner runs it (node dist/index.cjs with
// INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, a real pull_request payload) against the
// contract-checked GitHub double, with the production client settings (throttling, retries).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLAN_MARKER } from '../../src/report/markers.ts';
import { checkStructure } from '../../src/report/testdata/structure.ts';
import { runAction, webhookExample } from '../support/action-runner.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';

const actionDir = join(import.meta.dirname, '..', '..', 'actions', 'report');
const fixtures = join(import.meta.dirname, '..', '..', 'src', 'report', 'testdata', 'results');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function double() {
  const gh = await startGitHubDouble({ owner: 'acme', repo: 'platform', token: 'ghs_runner_token' });
  cleanups.push(() => gh.close());
  return gh;
}

function results(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'idlc-e2e-results-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // one folder per downloaded artifact, as actions/download-artifact lays them out
  for (const n of names) cpSync(join(fixtures, `${n}.json`), join(dir, `plan-${n}`, 'result.json'));
  return dir;
}

function run(gh: GitHubDouble, prNumber: number, headSha: string, inputs: Record<string, string>) {
  const payload = webhookExample('pull_request', 'synchronize') as {
    number: number;
    pull_request: { number: number; head: { sha: string } };
  };
  payload.number = prNumber;
  payload.pull_request.number = prNumber;
  payload.pull_request.head.sha = headSha;
  return runAction(actionDir, {
    cwd: tmpdir(),
    inputs: { 'github-token': 'ghs_runner_token', ...inputs },
    event: { name: 'pull_request', payload },
    env: {
      GITHUB_API_URL: gh.url,
      GITHUB_GRAPHQL_URL: gh.graphqlUrl,
      GITHUB_SERVER_URL: 'https://github.com',
    },
  });
}

describe('actions/report, bundled, run as the runner runs it', () => {
  it('comments on the PR from a real pull_request payload, posts checks and writes the job summary', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const head = pr.pull?.headSha as string;
    const res = await run(gh, pr.number, head, { 'results-dir': results(['create', 'denied', 'error']) });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({
      stacks: '3',
      changes: '2',
      denied: '1',
      errors: '1',
      conclusion: 'error',
    });
    const [comment] = gh.state.commentsOn(pr.number);
    expect(comment?.body.startsWith(PLAN_MARKER)).toBe(true);
    expect(res.outputs['comment-url']).toBe(
      `https://github.com/acme/platform/issues/${pr.number}#issuecomment-${comment?.id}`,
    );
    expect(checkStructure(comment?.body ?? '').problems).toEqual([]);
    expect(gh.state.checkRunsFor(head).map((c) => [c.name, c.conclusion])).toEqual([
      ['idlc/plan: assistant/prod', 'failure'],
      ['idlc/plan: search/dev', 'success'],
      ['idlc/plan: search/prod', 'failure'],
      ['idlc/plan', 'failure'],
    ]);
    expect(res.summary).toContain('### ❌ idlc plan: 3 stacks planned');
    expect(Buffer.byteLength(res.summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(gh.violations).toEqual([]);
  });

  it('updates the one comment on the next push and minimizes an old-format one', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const old = gh.state.addComment(pr.number, '<!-- idlc:plan-report v0 -->\n### plan (old format)');
    const first = await run(gh, pr.number, pr.pull?.headSha as string, {
      'results-dir': results(['create']),
      checks: 'off',
    });
    expect(first.code).toBe(0);
    const next = gh.state.pushToPullRequest(pr.number);
    const second = await run(gh, pr.number, next.sha, {
      'results-dir': results(['create', 'update']),
      checks: 'off',
    });
    expect(second.code).toBe(0);
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id']);
    const ours = gh.state.commentsOn(pr.number).filter((c) => c.body.startsWith(PLAN_MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain('2 stacks planned');
    expect(gh.state.comments.get(old.id)?.minimizedReason).toBe('OUTDATED');
  });

  it('retries a 502 and a secondary rate limit (retry-after), then succeeds', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    gh.injectFault({ route: 'issues/create-comment', status: 502 });
    gh.injectFault({ route: 'checks/create', status: 403, retryAfter: 1 });
    const res = await run(gh, pr.number, pr.pull?.headSha as string, { 'results-dir': results(['noop']) });
    expect(res.code).toBe(0);
    expect(gh.requests.filter((r) => r.fault).map((r) => [r.operationId, r.status])).toEqual([
      ['issues/create-comment', 502],
      ['checks/create', 403],
    ]);
    expect(gh.state.commentsOn(pr.number)).toHaveLength(1);
    expect(res.stdout).toMatch(/::warning::GitHub secondary rate limit on POST .*check-runs: retrying in 1s/);
  });

  it('reports a failure it cannot retry, with what the token needs', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    gh.injectFault({
      route: 'issues/create-comment',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const res = await run(gh, pr.number, pr.pull?.headSha as string, {
      'results-dir': results(['noop']),
      checks: 'off',
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/::error::Resource not accessible by integration.*needs pull-requests: write/);
  });

  it('fails with the file and field when a result is malformed', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const dir = results(['noop']);
    cpSync(join(fixtures, 'create.json'), join(dir, 'bad.json'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ stack: { id: 'x' }, status: 'great' }));
    const res = await run(gh, pr.number, pr.pull?.headSha as string, { 'results-dir': dir });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/::error file=.*bad\.json::.*bad\.json: stack\.team:/);
    expect(gh.requests).toEqual([]);
  });
});
