// Tests of the GitHub double itself (test/support/github-double), through the toolkit's own
// client: requests GitHub would refuse are refused the same way, faults are injected per
// route, compare-and-swap holds, and the double's own answers are held to the description.
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/client.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';

const doubles: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

async function setup(clientOpts: { throttle?: boolean } = {}) {
  const gh = await startGitHubDouble({ owner: 'acme', repo: 'platform' });
  doubles.push(gh);
  const client = createGitHubClient({
    token: 'ghs_test',
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retryBaseMs: 5,
    throttle: clientOpts.throttle ?? false,
  });
  return { gh, client, repo: { owner: 'acme', repo: 'platform' } };
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

describe('GitHub double: REST requests are held to the OpenAPI description', () => {
  it('serves a valid request and records it', async () => {
    const { gh, client, repo } = await setup();
    const pr = gh.state.addPullRequest();
    const res = await client.rest.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: 'hello',
    });
    expect(res.status).toBe(201);
    expect(res.data.user?.login).toBe('github-actions[bot]');
    expect(gh.state.commentsOn(pr.number).map((c) => c.body)).toEqual(['hello']);
    expect(gh.requests.at(-1)).toMatchObject({
      operationId: 'issues/create-comment',
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 201,
      body: { body: 'hello' },
    });
  });

  it('answers an invalid body with 422 and an unknown route or method with 404', async () => {
    const { gh, client, repo } = await setup();
    const pr = gh.state.addPullRequest();
    // untyped on purpose: these are requests the typed client would not let us write
    const r = {
      request: (route: string, params: Record<string, unknown>) => client.rest.request(route, params),
    };
    expect(
      await status(
        r.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          ...repo,
          issue_number: pr.number,
          text: 'no body field',
        }),
      ),
    ).toBe(422);
    expect(
      await status(
        r.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
          ...repo,
          sha: pr.pull?.headSha ?? '',
          state: 'great',
        }),
      ),
    ).toBe(422);
    expect(await status(r.request('GET /repos/{owner}/{repo}/no-such-thing', repo))).toBe(404);
    expect(await status(r.request('PUT /repos/{owner}/{repo}/issues/comments/1', repo))).toBe(404);
    const invalid = gh.requests.find((x) => x.status === 422);
    expect(invalid?.operationId).toBe('issues/create-comment');
    expect(gh.state.commentsOn(pr.number)).toEqual([]);
  });

  it('refuses requests without a token (401) and bodies over GitHub limits (422)', async () => {
    const { gh, repo } = await setup();
    const pr = gh.state.addPullRequest();
    const res = await fetch(`${gh.url}/repos/acme/platform/issues/${pr.number}/comments`);
    expect(res.status).toBe(401);
    const client = createGitHubClient({ token: 't', apiUrl: gh.url, throttle: false, retryBaseMs: 1 });
    const err = await client.rest.rest.issues
      .createComment({ ...repo, issue_number: pr.number, body: 'x'.repeat(65_537) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422 });
    expect((err as { message: string }).message).toContain('body is too long (maximum is 65536 characters)');
    const status140 = await client.rest.rest.repos
      .createCommitStatus({
        ...repo,
        sha: pr.pull?.headSha ?? '',
        state: 'success',
        description: 'd'.repeat(141),
      })
      .catch((e: unknown) => e as { status: number });
    expect(status140).toMatchObject({ status: 422 });
  });

  it('pages lists with Link headers that octokit follows', async () => {
    const { gh, client, repo } = await setup();
    const pr = gh.state.addPullRequest();
    for (let i = 0; i < 130; i++) gh.state.addComment(pr.number, `c${i}`);
    const all = await client.rest.paginate(client.rest.rest.issues.listComments, {
      ...repo,
      issue_number: pr.number,
      per_page: 50,
    });
    expect(all).toHaveLength(130);
    expect(gh.requests.filter((r) => r.operationId === 'issues/list-comments')).toHaveLength(3);
  });

  it('finds the pull request of a merge commit (REST and GraphQL)', async () => {
    const { gh, client, repo } = await setup();
    const pr = gh.state.addPullRequest({ title: 'search: bigger index' });
    const merge = gh.state.mergePullRequest(pr.number);
    const rest = await client.rest.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repo,
      commit_sha: merge.sha,
    });
    expect(rest.data.map((p) => [p.number, p.merge_commit_sha])).toEqual([[pr.number, merge.sha]]);
    const q = await client.graphql<{
      repository: { object: { associatedPullRequests: { nodes: { number: number; merged: boolean }[] } } };
    }>(
      `query($owner: String!, $name: String!, $oid: GitObjectID!) {
        repository(owner: $owner, name: $name) {
          object(oid: $oid) { ... on Commit { associatedPullRequests(first: 5) { nodes { number merged } } } }
        }
      }`,
      { owner: 'acme', name: 'platform', oid: merge.sha },
    );
    expect(q.repository.object.associatedPullRequests.nodes).toEqual([{ number: pr.number, merged: true }]);
  });
});

describe('GitHub double: artifacts, refs and commits', () => {
  it('lists and downloads workflow artifacts through the redirect GitHub uses', async () => {
    const { gh, client, repo } = await setup();
    const a = gh.state.addArtifact({
      name: 'idlc-result-aws-search-dev',
      runId: 77,
      zip: Buffer.from('PK\u0003\u0004zip'),
    });
    const list = await client.rest.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: 77 });
    expect(list.data.artifacts.map((x) => [x.id, x.name])).toEqual([[a.id, 'idlc-result-aws-search-dev']]);
    const dl = await client.rest.rest.actions.downloadArtifact({
      ...repo,
      artifact_id: a.id,
      archive_format: 'zip',
    });
    expect(Buffer.from(dl.data as ArrayBuffer).toString()).toBe('PK\u0003\u0004zip');
    expect(gh.requests.map((r) => r.status)).toEqual([200, 302, 200]);
  });

  it('moves refs only forward unless forced, and serves commits and contents', async () => {
    const { gh, client, repo } = await setup();
    const main = gh.state.refs.get('heads/main') as string;
    const child = gh.state.addCommit({
      message: 'next',
      parents: [main],
      changes: { additions: { 'a.txt': 'a' } },
    });
    const side = gh.state.addCommit({ message: 'side', parents: [], files: { 'b.txt': 'b' } });
    await client.rest.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: child.sha });
    expect(await status(client.rest.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: side.sha }))).toBe(
      422,
    );
    await client.rest.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: side.sha, force: true });
    expect((await client.rest.rest.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha).toBe(
      side.sha,
    );
    const c = await client.rest.rest.repos.getCommit({ ...repo, ref: child.sha });
    expect(c.data.files?.map((f) => [f.filename, f.status])).toEqual([['a.txt', 'added']]);
    const file = await client.rest.rest.repos.getContent({ ...repo, path: 'a.txt', ref: child.sha });
    expect(Buffer.from((file.data as { content: string }).content, 'base64').toString()).toBe('a');
  });
});

describe('GitHub double: fault injection', () => {
  it('fails a route N times with 502, and the client retries through it', async () => {
    const { gh, client, repo } = await setup();
    const pr = gh.state.addPullRequest();
    gh.injectFault({ route: 'issues/create-comment', status: 502, times: 2 });
    const res = await client.rest.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'x' });
    expect(res.status).toBe(201);
    const calls = gh.requests.filter((r) => r.operationId === 'issues/create-comment');
    expect(calls.map((c) => [c.status, Boolean(c.fault)])).toEqual([
      [502, true],
      [502, true],
      [201, false],
    ]);
  });

  it('answers a secondary rate limit with 403 and retry-after, which throttling waits out', async () => {
    const { gh, client, repo } = await setup({ throttle: true });
    const pr = gh.state.addPullRequest();
    gh.injectFault({ route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}', status: 403, retryAfter: 1 });
    const res = await client.rest.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(res.data.number).toBe(pr.number);
    expect(gh.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  it('keeps failing past the retries and then surfaces the error; a 404 is not retried', async () => {
    const { gh, client, repo } = await setup();
    const pr = gh.state.addPullRequest();
    gh.injectFault({ route: 'pulls/get', status: 500, times: 10 });
    expect(await status(client.rest.rest.pulls.get({ ...repo, pull_number: pr.number }))).toBe(500);
    expect(gh.requests.filter((r) => r.fault)).toHaveLength(4); // 1 + 3 retries
    gh.injectFault({ route: 'issues/get', status: 404 });
    expect(await status(client.rest.rest.issues.get({ ...repo, issue_number: pr.number }))).toBe(404);
    expect(gh.requests.filter((r) => r.operationId === 'issues/get')).toHaveLength(1);
  });

  it('fails a GraphQL root field by name', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    const c = gh.state.addComment(pr.number, 'old');
    gh.injectFault({ route: 'graphql:minimizeComment', status: 502 });
    await client.graphql(
      'mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { minimizedComment { isMinimized } } }',
      { id: c.nodeId },
    );
    expect(gh.requests.map((r) => r.status)).toEqual([502, 200]);
    expect(gh.state.comments.get(c.id)?.minimizedReason).toBe('OUTDATED');
  });
});

describe('GitHub double: GraphQL is held to the published schema', () => {
  it('rejects a document that does not validate, as GitHub does (200 with errors)', async () => {
    const { gh, client } = await setup();
    const err = await client
      .graphql('query { repository(owner: "acme", name: "platform") { noSuchField } }')
      .catch((e: unknown) => e as { errors: { message: string }[] });
    expect((err as { errors: { message: string }[] }).errors[0]?.message).toMatch(/noSuchField/);
    expect(gh.requests[0]?.graphql?.valid).toBe(false);
  });

  it('requires first/last on connections, at most 100', async () => {
    const { gh, client } = await setup();
    const pr = gh.state.addPullRequest();
    const q = (args: string) =>
      client
        .graphql(
          `query { repository(owner: "acme", name: "platform") { pullRequest(number: ${pr.number}) { comments${args} { totalCount } } } }`,
        )
        .then(
          () => 'ok',
          (e: { errors: { type: string }[] }) => e.errors[0]?.type,
        );
    expect(await q('')).toBe('MISSING_PAGINATION_BOUNDARIES');
    expect(await q('(first: 101)')).toBe('EXCESSIVE_PAGINATION');
    expect(await q('(first: 100)')).toBe('ok');
  });

  it('createCommitOnBranch is a compare-and-swap on the branch head', async () => {
    const { gh, client } = await setup();
    const head = gh.state.refs.get('heads/main') as string;
    const mutation = `mutation($input: CreateCommitOnBranchInput!) {
      createCommitOnBranch(input: $input) { commit { oid message } }
    }`;
    const input = (expectedHeadOid: string, content: string) => ({
      input: {
        branch: { repositoryNameWithOwner: 'acme/platform', branchName: 'main' },
        message: { headline: 'chore: bump search image' },
        fileChanges: {
          additions: [
            { path: 'sdlc/search/dev/pins.yaml', contents: Buffer.from(content).toString('base64') },
          ],
        },
        expectedHeadOid,
      },
    });
    const first = await client.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(
      mutation,
      input(head, 'tag: v2\n'),
    );
    const newHead = first.createCommitOnBranch.commit.oid;
    expect(gh.state.refs.get('heads/main')).toBe(newHead);
    expect(gh.state.commits.get(newHead)?.files.get('sdlc/search/dev/pins.yaml')).toBe('tag: v2\n');
    // a second writer that still believes the old head loses, and nothing is written
    const stale = await client.graphql(mutation, input(head, 'tag: v3\n')).catch((e: unknown) => e);
    expect((stale as { errors: { type: string; message: string }[] }).errors[0]).toMatchObject({
      type: 'STALE_DATA',
      message: expect.stringContaining('Pull and try again'),
    });
    expect(gh.state.refs.get('heads/main')).toBe(newHead);
    const retried = await client.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(
      mutation,
      input(newHead, 'tag: v3\n'),
    );
    expect(gh.state.commits.get(retried.createCommitOnBranch.commit.oid)?.parents).toEqual([newHead]);
  });
});

describe('GitHub double: its own answers are checked', () => {
  it('turns a response GitHub would not send into a violation that fails close()', async () => {
    const gh = await startGitHubDouble({ owner: 'acme', repo: 'platform' });
    const client = createGitHubClient({ token: 't', apiUrl: gh.url, throttle: false, retries: 0 });
    const pr = gh.state.addPullRequest();
    const run = await client.rest.rest.checks.create({
      owner: 'acme',
      repo: 'platform',
      name: 'x',
      head_sha: pr.pull?.headSha ?? '',
    });
    // corrupt the state behind the API's back: GitHub never reports this status
    (gh.state.checkRuns.get(run.data.id) as { status: string }).status = 'exploded';
    expect(
      await status(
        client.rest.rest.checks.get({ owner: 'acme', repo: 'platform', check_run_id: run.data.id }),
      ),
    ).toBe(500);
    expect(gh.violations[0]).toMatch(
      /GET \/repos\/\{owner\}\/\{repo\}\/check-runs\/\{check_run_id\} with a 200 GitHub would not send: \/status/,
    );
    await expect(gh.close()).rejects.toThrow(/1 contract violation/);
  });

  it('serves GitHub Enterprise Server paths (/api/v3, /api/graphql) for a client configured for GHES', async () => {
    const gh = await startGitHubDouble({ owner: 'acme', repo: 'platform', enterprise: true });
    doubles.push(gh);
    expect(gh.url).toMatch(/\/api\/v3$/);
    const client = createGitHubClient({ token: 't', apiUrl: gh.url, throttle: false });
    expect(client.graphqlUrl).toBe(gh.graphqlUrl);
    const pr = gh.state.addPullRequest();
    await client.rest.rest.pulls.get({ owner: 'acme', repo: 'platform', pull_number: pr.number });
    const q = await client.graphql<{ repository: { nameWithOwner: string } }>(
      'query { repository(owner: "acme", name: "platform") { nameWithOwner } }',
    );
    expect(q.repository.nameWithOwner).toBe('acme/platform');
  });
});
