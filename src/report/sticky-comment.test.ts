import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, HUMAN, startGitHubDouble } from '../../test/support/github-double/index.ts';
import { createGitHubClient, type GitHubClient } from '../github/client.ts';
import { APPLY_MARKER, PLAN_MARKER } from './markers.ts';
import { upsertStickyComment } from './sticky-comment.ts';

const repo = { owner: 'acme', repo: 'platform' };
const doubles: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

async function setup(): Promise<{ gh: GitHubDouble; client: GitHubClient }> {
  const gh = await startGitHubDouble(repo);
  doubles.push(gh);
  const client = createGitHubClient({
    token: 'ghs_x',
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retryBaseMs: 5,
    throttle: false,
  });
  return { gh, client };
}

const body = (s: string) => `${PLAN_MARKER}\n\n${s}`;

describe('upsertStickyComment', () => {
  it('creates the comment on the first push and edits the same one on the next', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    const first = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('push 1'),
    });
    gh.state.pushToPullRequest(pr.number);
    const second = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('push 2'),
    });
    expect(first.action).toBe('created');
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    expect(gh.state.commentsOn(pr.number).map((c) => c.body)).toEqual([body('push 2')]);
    const third = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('push 2'),
    });
    expect(third.action).toBe('unchanged');
    expect(gh.requests.filter((r) => r.operationId === 'issues/update-comment')).toHaveLength(1);
  });

  it('minimizes our comments in an older format as OUTDATED, and leaves everyone else alone', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    const v0 = gh.state.addComment(pr.number, '<!-- idlc:plan-report v0 -->\nold report');
    const legacy = gh.state.addComment(pr.number, '<!-- idlc-plan-report -->\n### Terraform plan (legacy)');
    const human = gh.state.addComment(pr.number, `${PLAN_MARKER}\nI pasted your marker`, HUMAN);
    const apply = gh.state.addComment(pr.number, `${APPLY_MARKER}\napplied`);
    const res = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('new'),
    });
    expect(res.action).toBe('created');
    expect(res.minimized.sort()).toEqual([v0.nodeId, legacy.nodeId].sort());
    expect(gh.state.comments.get(v0.id)?.minimizedReason).toBe('OUTDATED');
    expect(gh.state.comments.get(legacy.id)?.minimizedReason).toBe('OUTDATED');
    expect(gh.state.comments.get(human.id)?.minimizedReason).toBeUndefined();
    expect(gh.state.comments.get(human.id)?.body).toBe(`${PLAN_MARKER}\nI pasted your marker`);
    expect(gh.state.comments.get(apply.id)?.minimizedReason).toBeUndefined();
    // a second run does not minimize again
    const again = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('newer'),
    });
    expect(again.minimized).toEqual([]);
  });

  it('settles duplicates from racing runs on the oldest comment', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    const a = gh.state.addComment(pr.number, body('run A'));
    const b = gh.state.addComment(pr.number, body('run B'));
    const res = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('run C'),
    });
    expect(res).toMatchObject({ action: 'updated', id: a.id });
    expect(gh.state.comments.get(b.id)?.minimizedReason).toBe('DUPLICATE');
  });

  it('pages through PRs with more than 100 comments', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    for (let i = 0; i < 150; i++) gh.state.addComment(pr.number, `chatter ${i}`, HUMAN);
    const ours = gh.state.addComment(pr.number, body('old'));
    const res = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('new'),
    });
    expect(res).toMatchObject({ action: 'updated', id: ours.id });
  });

  it('retries through transient faults on every call it makes', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    gh.state.addComment(pr.number, '<!-- idlc:plan-report v0 -->\nold');
    gh.injectFault({ route: 'graphql:repository', status: 502 });
    gh.injectFault({ route: 'graphql:minimizeComment', status: 500 });
    gh.injectFault({ route: 'issues/create-comment', status: 502, times: 2 });
    const res = await upsertStickyComment(client, {
      repo,
      number: pr.number,
      marker: PLAN_MARKER,
      body: body('x'),
    });
    expect(res.action).toBe('created');
    expect(gh.requests.filter((r) => r.fault)).toHaveLength(4);
    expect(gh.state.commentsOn(pr.number)).toHaveLength(2);
  });

  it('reports a fault that outlasts the retries', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    gh.injectFault({ route: 'issues/create-comment', status: 502, times: 10 });
    await expect(
      upsertStickyComment(client, { repo, number: pr.number, marker: PLAN_MARKER, body: body('x') }),
    ).rejects.toMatchObject({ status: 502 });
  });
});
