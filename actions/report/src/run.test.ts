import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient, silentLogger } from '../../../src/github/client.ts';
import { APPLY_MARKER, PLAN_MARKER } from '../../../src/report/markers.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { webhookExample } from '../../../test/support/action-runner.ts';
import { startGitHubDouble } from '../../../test/support/github-double/index.ts';
import { parseInputs, type ReportContext, runReport } from './run.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'src', 'report', 'testdata', 'results');
const repo = { owner: 'acme', repo: 'platform' };
const RUN = 'https://github.com/acme/platform/actions/runs/4242';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function resultsDir(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'idlc-report-results-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of files) cpSync(join(fixtures, `${f}.json`), join(dir, `${f}.json`));
  return dir;
}

async function setup() {
  const gh = await startGitHubDouble(repo);
  cleanups.push(() => gh.close());
  const client = createGitHubClient({
    token: 't',
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retryBaseMs: 5,
    throttle: false,
  });
  const pr = gh.state.addPullRequest({ title: 'search: bigger index' });
  return { gh, client, pr };
}

/** A real pull_request webhook payload pointed at the double's PR. */
function prEvent(number: number, headSha: string): ReportContext {
  const payload = webhookExample('pull_request', 'synchronize') as {
    number: number;
    pull_request: { number: number; head: { sha: string } };
  };
  payload.number = number;
  payload.pull_request.number = number;
  payload.pull_request.head.sha = headSha;
  return {
    repo,
    runUrl: RUN,
    eventName: 'pull_request',
    event: payload as unknown as Record<string, unknown>,
  };
}

const planInputs = (dir: string, extra: Record<string, string> = {}) =>
  parseInputs({ 'results-dir': dir, ...extra });

describe('parseInputs', () => {
  it('defaults to plan mode with check runs and a comment', () => {
    expect(parseInputs({ 'results-dir': 'r' })).toEqual({
      mode: 'plan',
      resultsDir: 'r',
      checks: 'check-runs',
      comment: true,
      driftLabel: 'idlc-drift',
      failOn: [],
    });
  });
  it('refuses unknown values with what is allowed', () => {
    expect(() => parseInputs({ 'results-dir': 'r', mode: 'deploy' })).toThrow(UsageError);
    expect(() => parseInputs({ 'results-dir': 'r', checks: 'annotations' })).toThrow(
      /check-runs, statuses, off/,
    );
    expect(() => parseInputs({ 'results-dir': 'r', 'fail-on': 'warn' })).toThrow(/error or denied/);
    expect(() => parseInputs({ 'results-dir': 'r', 'pull-request': '#3' })).toThrow(/pull request number/);
    expect(() => parseInputs({})).toThrow(/results-dir is required/);
  });
});

describe('runReport: plan', () => {
  it('posts the comment, the checks and returns the summary and outputs', async () => {
    const { gh, client, pr } = await setup();
    const dir = resultsDir(['create', 'replace', 'denied', 'noop']);
    const run = await runReport(
      client,
      planInputs(dir),
      prEvent(pr.number, pr.pull?.headSha ?? ''),
      silentLogger,
    );
    expect(run.outputs).toMatchObject({
      stacks: '4',
      changes: '3',
      denied: '1',
      errors: '0',
      conclusion: 'denied',
    });
    const comments = gh.state.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.startsWith(PLAN_MARKER)).toBe(true);
    expect(run.outputs['comment-id']).toBe(String(comments[0]?.id));
    expect(gh.state.checkRunsFor(pr.pull?.headSha ?? '').map((c) => c.name)).toContain('idlc/plan');
    expect(run.summary).toContain('### ⛔ idlc plan: 4 stacks planned');
    expect(run.summary).not.toContain(PLAN_MARKER);
    expect(run.failure).toBeUndefined();
  });

  it('keeps one comment across pushes, updated in place', async () => {
    const { gh, client, pr } = await setup();
    await runReport(
      client,
      planInputs(resultsDir(['create'])),
      prEvent(pr.number, pr.pull?.headSha ?? ''),
      silentLogger,
    );
    const next = gh.state.pushToPullRequest(pr.number);
    await runReport(
      client,
      planInputs(resultsDir(['create', 'update'])),
      prEvent(pr.number, next.sha),
      silentLogger,
    );
    const comments = gh.state.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(`commit <code>${next.sha.slice(0, 12)}</code>`);
    expect(comments[0]?.body).toContain('2 stacks planned');
  });

  it('leaves the comment to a newer run when the PR has moved on', async () => {
    const { gh, client, pr } = await setup();
    const old = pr.pull?.headSha ?? '';
    gh.state.pushToPullRequest(pr.number);
    const run = await runReport(
      client,
      planInputs(resultsDir(['create'])),
      prEvent(pr.number, old),
      silentLogger,
    );
    expect(gh.state.commentsOn(pr.number)).toEqual([]);
    expect(run.warnings[0]).toMatch(/has moved on to .*leaves the comment to the newer run/);
    // the checks still describe the commit that was planned
    expect(gh.state.checkRunsFor(old).length).toBeGreaterThan(0);
  });

  it('fails the step on request when a stack is denied or broken', async () => {
    const { client, pr } = await setup();
    const run = await runReport(
      client,
      planInputs(resultsDir(['denied', 'error']), { 'fail-on': 'error,denied', checks: 'off' }),
      prEvent(pr.number, pr.pull?.headSha ?? ''),
      silentLogger,
    );
    expect(run.failure).toBe('1 stack(s) failed to plan and 1 stack(s) denied by policy; see the report');
  });
});

describe('runReport: apply', () => {
  it('posts the apply results on the PR merged as this commit, beside the plan comment', async () => {
    const { gh, client, pr } = await setup();
    gh.state.addComment(pr.number, `${PLAN_MARKER}\nthe plan report`);
    const merge = gh.state.mergePullRequest(pr.number);
    const dir = mkdtempSync(join(tmpdir(), 'idlc-apply-results-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const plan = JSON.parse(readFileSync(join(fixtures, 'create.json'), 'utf8'));
    writeFileSync(
      join(dir, 'apply.json'),
      JSON.stringify({
        stack: plan.stack,
        wave: plan.wave,
        status: 'applied',
        model: plan.model,
        links: plan.links,
      }),
    );
    const run = await runReport(
      client,
      parseInputs({ mode: 'apply', 'results-dir': dir }),
      { repo, runUrl: RUN, eventName: 'push', event: {}, sha: merge.sha },
      silentLogger,
    );
    expect(run.outputs).toMatchObject({ applied: '1', failed: '0', conclusion: 'applied' });
    const bodies = gh.state.commentsOn(pr.number).map((c) => c.body.split('\n')[0]);
    expect(bodies).toEqual([PLAN_MARKER, APPLY_MARKER]);
  });
});

describe('runReport: drift', () => {
  it('opens an issue for the drifted stack and says so in the outputs', async () => {
    const { gh, client } = await setup();
    const run = await runReport(
      client,
      parseInputs({ mode: 'drift', 'results-dir': resultsDir(['drift', 'noop']) }),
      { repo, runUrl: RUN, eventName: 'schedule', event: {}, now: () => new Date('2026-11-26T03:00:00Z') },
      silentLogger,
    );
    expect(run.outputs).toMatchObject({ stacks: '2', drifted: '1', conclusion: 'drift' });
    const issue = gh.state.issues.get(Number(run.outputs['opened']));
    expect(issue?.body).toContain('Last checked 2026-11-26T03:00:00Z');
    expect(run.summary).toContain('### 🟡 idlc drift: 2 stacks planned');
  });
});
