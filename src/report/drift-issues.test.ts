import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../../test/support/github-double/index.ts';
import { BOT, HUMAN } from '../../test/support/github-double/state.ts';
import { createGitHubClient } from '../github/client.ts';
import {
  DRIFT_LABEL,
  driftIssueAuthor,
  isDrifted,
  renderDriftIssue,
  syncDriftIssues,
} from './drift-issues.ts';
import { driftMarker, driftStackOf } from './markers.ts';
import { loadStackResults, type StackResult } from './results.ts';
import { checkStructure } from './testdata/structure.ts';

const repo = { owner: 'acme', repo: 'platform' };
const { results } = await loadStackResults(join(import.meta.dirname, 'testdata', 'results'));
const get = (id: string) => results.find((r) => r.stack.id === id) as StackResult;
// the drift fixture: time_rotating.key deleted outside tofu (real refresh), planned to be re-created
const drifted = get('aws/platform/prod/network');
const clean = get('aws/platform/staging/network');
const failed = get('aws/assistant/prod');
const RUN = 'https://github.com/acme/platform/actions/runs/77';

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
  return { gh, client };
}

describe('renderDriftIssue', () => {
  it('carries the stack marker, what drifted, and the plan, open', () => {
    const body = renderDriftIssue(drifted, { runUrl: RUN, checkedAt: '2026-11-26T03:00:00Z' });
    expect(driftStackOf(body)).toBe('aws/platform/prod/network');
    expect(body).toContain('1 resource was changed outside OpenTofu');
    expect(body).toContain('! time_rotating.key  # deleted outside OpenTofu');
    expect(body).toContain('<details open>');
    expect(checkStructure(body.replace('<details open>', '<details>')).problems).toEqual([]);
  });
});

describe('syncDriftIssues', () => {
  it('opens one issue per drifted stack, updates it while drift persists, closes it when clean', async () => {
    const { gh, client } = await setup();
    expect(isDrifted(drifted)).toBe(true);
    expect(isDrifted(clean)).toBe(false);

    const first = await syncDriftIssues(client, {
      repo,
      results: [drifted, clean],
      runUrl: RUN,
      checkedAt: 'night 1',
    });
    expect(first.opened).toHaveLength(1);
    const number = first.opened[0]?.number as number;
    const issue = gh.state.issues.get(number);
    expect(issue).toMatchObject({
      state: 'open',
      labels: [DRIFT_LABEL],
      title: 'Drift: aws/platform/prod/network differs from main',
    });

    const second = await syncDriftIssues(client, {
      repo,
      results: [drifted],
      runUrl: RUN,
      checkedAt: 'night 2',
    });
    expect(second).toMatchObject({ opened: [], updated: [{ stack: drifted.stack.id, number }] });
    expect(gh.state.issues.get(number)?.body).toContain('night 2');
    expect([...gh.state.issues.values()].filter((i) => !i.pull)).toHaveLength(1);

    const fixed: StackResult = { ...clean, stack: drifted.stack };
    const third = await syncDriftIssues(client, { repo, results: [fixed], runUrl: RUN });
    expect(third.closed).toEqual([{ stack: drifted.stack.id, number }]);
    expect(gh.state.issues.get(number)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(gh.state.commentsOn(number)[0]?.body).toContain('No drift any more');
  });

  it('treats only issues its own identity authored as ours: a person’s copy of label and marker is left alone', async () => {
    const { gh, client } = await setup();
    // someone opens an issue that looks exactly like ours: the label and the stack's marker
    const forged = gh.state.addIssue({
      title: 'Drift: aws/platform/prod/network differs from main',
      body: `${driftMarker(drifted.stack.id)}\nclose me`,
      labels: [DRIFT_LABEL],
      user: HUMAN,
    });
    const run = await syncDriftIssues(client, { repo, results: [drifted], runUrl: RUN });
    // not updated as ours: the bot opens its own issue
    expect(run.updated).toEqual([]);
    expect(run.opened).toHaveLength(1);
    const mine = run.opened[0]?.number as number;
    expect(mine).not.toBe(forged.number);
    expect(gh.state.issues.get(mine)?.user.login).toBe('github-actions[bot]');
    // the stack is clean again: only the bot's issue is closed; the forged one keeps its body
    const fixed: StackResult = { ...clean, stack: drifted.stack };
    const closing = await syncDriftIssues(client, { repo, results: [fixed], runUrl: RUN });
    expect(closing.closed).toEqual([{ stack: drifted.stack.id, number: mine }]);
    expect(gh.state.issues.get(forged.number)).toMatchObject({
      state: 'open',
      body: `${driftMarker(drifted.stack.id)}\nclose me`,
    });
    expect(gh.state.commentsOn(forged.number)).toEqual([]);
  });

  it('with the idlc App token, its <slug>[bot] is the author: issues of github-actions[bot] are not ours', async () => {
    const { gh, client } = await setup();
    const old = gh.state.addIssue({
      title: 'old',
      body: driftMarker(drifted.stack.id),
      labels: [DRIFT_LABEL],
      user: BOT,
    });
    expect(driftIssueAuthor('idlc-platform')).toBe('idlc-platform[bot]');
    expect(driftIssueAuthor()).toBe('github-actions[bot]');
    gh.state.actor = { login: 'idlc-platform[bot]', id: 900001, type: 'Bot' };
    const run = await syncDriftIssues(client, {
      repo,
      results: [drifted],
      author: driftIssueAuthor('idlc-platform'),
    });
    expect(run.updated).toEqual([]);
    expect(gh.state.issues.get(run.opened[0]?.number as number)?.user.login).toBe('idlc-platform[bot]');
    expect(gh.state.issues.get(old.number)?.body).toBe(driftMarker(drifted.stack.id));
  });

  it('leaves a stack whose plan failed alone, and ignores issues that are not ours', async () => {
    const { gh, client } = await setup();
    const other = gh.state.addIssue({
      title: 'unrelated drift talk',
      body: 'no marker',
      labels: [DRIFT_LABEL],
    });
    const mine = await syncDriftIssues(client, { repo, results: [{ ...drifted, stack: failed.stack }] });
    const number = mine.opened[0]?.number as number;
    const res = await syncDriftIssues(client, { repo, results: [{ ...failed }] });
    expect(res).toMatchObject({ skipped: [failed.stack.id], closed: [], opened: [] });
    expect(gh.state.issues.get(number)?.state).toBe('open');
    expect(gh.state.issues.get(other.number)?.state).toBe('open');
  });
});
