import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, LIMITS, startGitHubDouble } from '../../test/support/github-double/index.ts';
import { createGitHubClient } from '../github/client.ts';
import { AGGREGATE_CHECK, checkName, publishChecks } from './checks.ts';
import { loadStackResults } from './results.ts';
import { scaledResults } from './testdata/scale.ts';

const repo = { owner: 'acme', repo: 'platform' };
const { results } = await loadStackResults(join(import.meta.dirname, 'testdata', 'results'));
const doubles: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

async function setup() {
  const gh = await startGitHubDouble(repo);
  doubles.push(gh);
  const client = createGitHubClient({
    token: 't',
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retryBaseMs: 5,
    throttle: false,
  });
  const pr = gh.state.addPullRequest();
  return { gh, client, sha: pr.pull?.headSha as string };
}

describe('checkName', () => {
  it('names checks idlc/plan: team/env/stack, with the cloud when it is not AWS', () => {
    expect(
      checkName({ id: 'aws/platform/dev/network', team: 'platform', env: 'dev', name: 'network', dir: '' }),
    ).toBe('idlc/plan: platform/dev/network');
    expect(checkName({ id: 'aws/search/dev', team: 'search', env: 'dev', name: '', dir: '' })).toBe(
      'idlc/plan: search/dev',
    );
    expect(checkName({ id: 'gcp/assistant/dev', team: 'assistant', env: 'dev', name: '', dir: '' })).toBe(
      'idlc/plan: assistant/dev (gcp)',
    );
  });
});

describe('publishChecks', () => {
  it('creates a completed check run per stack and a failing aggregate when a stack is denied or broken', async () => {
    const { gh, client, sha } = await setup();
    const published = await publishChecks(client, {
      repo,
      headSha: sha,
      results,
      mode: 'check-runs',
      runUrl: 'https://github.com/acme/platform/actions/runs/1',
    });
    expect(published).toHaveLength(results.length + 1);
    const runs = gh.state.checkRunsFor(sha);
    const byName = new Map(runs.map((r) => [r.name, r]));
    expect(byName.get(AGGREGATE_CHECK)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(byName.get('idlc/plan: search/prod')).toMatchObject({
      conclusion: 'failure',
      output: { title: 'Denied by policy (11 findings): +23 ~0 -1' },
    });
    expect(byName.get('idlc/plan: assistant/prod')).toMatchObject({
      conclusion: 'failure',
      output: { title: 'Plan failed' },
    });
    expect(byName.get('idlc/plan: platform/staging/network')).toMatchObject({
      conclusion: 'success',
      output: { title: 'No changes' },
    });
    expect(byName.get('idlc/plan: platform/dev/cluster')?.output.title).toBe(
      '+0 ~0 -0 ±3 (destroys or replaces)',
    );
    // the stack's check carries its own section, findings listed
    expect(byName.get('idlc/plan: search/prod')?.output.summary).toContain(
      '| ⛔ deny | <code>s3.encryption</code>',
    );
    expect(byName.get('idlc/plan: search/dev')?.detailsUrl).toBe(
      'https://github.com/acme/platform/actions/runs/4242#summary-31',
    );
  });

  it('keeps check run summaries within GitHub’s limit for huge stacks', async () => {
    const { gh, client, sha } = await setup();
    await publishChecks(client, { repo, headSha: sha, results: scaledResults(2, 6_000), mode: 'check-runs' });
    for (const r of gh.state.checkRunsFor(sha))
      expect([...(r.output.summary ?? '')].length).toBeLessThanOrEqual(LIMITS.checkRunSummary);
  });

  it('falls back to commit statuses with descriptions GitHub accepts', async () => {
    const { gh, client, sha } = await setup();
    await publishChecks(client, { repo, headSha: sha, results, mode: 'statuses' });
    const statuses = gh.state.latestStatuses(sha);
    expect(statuses).toHaveLength(results.length + 1);
    expect(statuses.find((s) => s.context === AGGREGATE_CHECK)).toMatchObject({ state: 'failure' });
    for (const s of statuses)
      expect([...(s.description ?? '')].length).toBeLessThanOrEqual(LIMITS.statusDescription);
  });

  it('past the limit, publishes the per-stack checks of failed, denied and destroying stacks first, and says so', async () => {
    const { gh, client, sha } = await setup();
    const published = await publishChecks(client, {
      repo,
      headSha: sha,
      results,
      mode: 'check-runs',
      maxStackChecks: 5,
    });
    // 2 failing (assistant/prod error, search/prod denied), then the 3 destroying stacks; the
    // other changes (assistant/staging, search/dev, …) and the no-change stack wait
    expect(published.map((p) => p.name)).toEqual([
      'idlc/plan: assistant/dev',
      'idlc/plan: assistant/prod',
      'idlc/plan: platform/dev/cluster',
      'idlc/plan: platform/dev/network',
      'idlc/plan: search/prod',
      AGGREGATE_CHECK,
    ]);
    const aggregate = gh.state.checkRunsFor(sha).find((r) => r.name === AGGREGATE_CHECK);
    expect(aggregate?.output.summary).toMatch(
      /^Per-stack checks for 5 of 11 stacks \(failed, denied, destroying and changing first\)/,
    );
    // the aggregate still judges every stack
    expect(aggregate?.conclusion).toBe('failure');
    expect(gh.state.checkRunsFor(sha)).toHaveLength(6);
  });

  it('publishes at most 100 per-stack checks by default', async () => {
    const { gh, client, sha } = await setup();
    const many = scaledResults(120, 1);
    await publishChecks(client, { repo, headSha: sha, results: many, mode: 'statuses' });
    expect(gh.state.latestStatuses(sha)).toHaveLength(101);
  });

  it('posts nothing when off', async () => {
    const { gh, client, sha } = await setup();
    expect(await publishChecks(client, { repo, headSha: sha, results, mode: 'off' })).toEqual([]);
    expect(gh.requests).toEqual([]);
  });
});
