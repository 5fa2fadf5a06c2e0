// Tests of the GitHub double's identities (test/support/github-double): the tokens it issues
// carry who they act as and what they may do, and it refuses what GitHub refuses — a write
// with a read token, a fork PR's token asking for write, someone else's comment or check run,
// another run's artifacts, membership reads without `members: read`, an App JWT that does not
// verify. Requests go through the toolkit's own client, so they are validated against
// GitHub's OpenAPI description both ways.
import { generateKeyPairSync } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { WORKFLOWS } from '../../src/auth/oidc-subjects.ts';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';

const repo = { owner: 'acme', repo: 'platform' };
const doubles: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

async function double(strictTokens = true): Promise<GitHubDouble> {
  const gh = await startGitHubDouble({ ...repo, strictTokens });
  doubles.push(gh);
  return gh;
}

function client(gh: GitHubDouble, token: string): GitHubClient {
  return createGitHubClient({
    token,
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retries: 0,
    throttle: false,
  });
}

/** The status and message of a failed call (200 when it succeeded). */
async function outcome(p: Promise<unknown>): Promise<{ status: number; message?: string }> {
  try {
    await p;
    return { status: 200 };
  } catch (err) {
    const e = err as {
      status: number;
      response?: { data?: { message?: string } };
      errors?: { message: string }[];
    };
    return { status: e.status ?? 200, message: e.response?.data?.message ?? e.errors?.[0]?.message };
  }
}

const NOT_ACCESSIBLE = 'Resource not accessible by integration';

describe('GitHub double: workflow tokens carry their job permissions', () => {
  it('refuses a write with a read token as GitHub does, and authors what a write token creates as github-actions[bot]', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const run = gh.state.addWorkflowRun({
      path: WORKFLOWS.planCaller,
      event: 'pull_request',
      pullRequest: pr.number,
    });
    const reader = client(
      gh,
      gh.issueToken({
        kind: 'workflow',
        runId: run.id,
        job: 'plan',
        workflowFile: WORKFLOWS.planRun,
        permissions: { contents: 'read', 'pull-requests': 'read', 'id-token': 'write' },
      }),
    );
    expect(await outcome(reader.rest.rest.pulls.get({ ...repo, pull_number: pr.number }))).toEqual({
      status: 200,
    });
    expect(
      await outcome(
        reader.rest.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'forged' }),
      ),
    ).toEqual({ status: 403, message: NOT_ACCESSIBLE });
    expect(
      await outcome(
        reader.rest.rest.checks.create({ ...repo, name: 'idlc/plan', head_sha: pr.pull?.headSha ?? '' }),
      ),
    ).toEqual({ status: 403, message: NOT_ACCESSIBLE });
    // GraphQL mutations are held to the same table: a FORBIDDEN error on the field
    const c = gh.state.addComment(pr.number, 'a comment');
    const minimize = await outcome(
      reader.graphql(
        'mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { clientMutationId } }',
        {
          id: c.nodeId,
        },
      ),
    );
    expect(minimize.message).toBe(NOT_ACCESSIBLE);
    expect(gh.state.comments.get(c.id)?.minimizedReason).toBeUndefined();

    const reportRun = gh.state.addWorkflowRun({ path: WORKFLOWS.report, event: 'workflow_run' });
    const writer = client(
      gh,
      gh.issueToken({
        kind: 'workflow',
        runId: reportRun.id,
        job: 'report',
        permissions: { 'pull-requests': 'write', checks: 'write', actions: 'read' },
      }),
    );
    const created = await writer.rest.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: 'plan',
    });
    expect(created.data.user?.login).toBe('github-actions[bot]');
    const check = await writer.rest.rest.checks.create({
      ...repo,
      name: 'idlc/plan',
      head_sha: pr.pull?.headSha ?? '',
    });
    expect(check.data.app).toMatchObject({ id: 15368, slug: 'github-actions' });
    expect(gh.requests.at(-1)?.actor).toBe('github-actions[bot]');
  });

  it('gives a fork pull request a read-only token whatever its workflow asks for', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const run = gh.state.addWorkflowRun({
      path: WORKFLOWS.planCaller,
      event: 'pull_request',
      pullRequest: pr.number,
      headRepository: 'mallory/platform',
    });
    const forked = client(
      gh,
      gh.issueToken({
        kind: 'workflow',
        runId: run.id,
        job: 'plan',
        fork: true,
        permissions: { contents: 'write', 'pull-requests': 'write', checks: 'write' },
      }),
    );
    expect(
      await outcome(forked.rest.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'x' })),
    ).toEqual({ status: 403, message: NOT_ACCESSIBLE });
    // the run GitHub shows for a fork: its head repository, and no pull_requests
    const api = client(gh, gh.issueToken({ kind: 'user', login: 'alice', role: 'read' }));
    const shown = await api.rest.rest.actions.getWorkflowRun({ ...repo, run_id: run.id });
    expect(shown.data.head_repository.full_name).toBe('mallory/platform');
    expect(shown.data.pull_requests).toEqual([]);
  });

  it('refuses unregistered tokens with strictTokens and expired job tokens; keeps the old behaviour without it', async () => {
    const gh = await double();
    expect(await outcome(client(gh, 'ghs_made_up').rest.rest.repos.get(repo))).toEqual({
      status: 401,
      message: 'Bad credentials',
    });
    const run = gh.state.addWorkflowRun({ path: WORKFLOWS.apply, event: 'push' });
    const token = gh.issueToken({
      kind: 'workflow',
      runId: run.id,
      job: 'apply',
      permissions: { contents: 'read' },
    });
    expect(await outcome(client(gh, token).rest.rest.repos.get(repo))).toEqual({ status: 200 });
    gh.state.completeWorkflowRun(run.id);
    expect((await outcome(client(gh, token).rest.rest.repos.get(repo))).status).toBe(401);

    const lax = await double(false);
    const pr = lax.state.addPullRequest();
    const res = await client(lax, 'anything').rest.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: 'x',
    });
    expect(res.data.user?.login).toBe('github-actions[bot]');
  });
});

describe('GitHub double: authorship', () => {
  it('lets only the author edit a comment — and every workflow of the repository is the same author', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const human = gh.state.addComment(pr.number, 'LGTM', gh.state.user('alice'));
    const reportRun = gh.state.addWorkflowRun({ path: WORKFLOWS.report, event: 'workflow_run' });
    const report = client(
      gh,
      gh.issueToken({
        kind: 'workflow',
        runId: reportRun.id,
        job: 'report',
        permissions: { 'pull-requests': 'write' },
      }),
    );
    expect(
      await outcome(report.rest.rest.issues.updateComment({ ...repo, comment_id: human.id, body: 'edited' })),
    ).toEqual({
      status: 403,
      message: NOT_ACCESSIBLE,
    });
    const sticky = await report.rest.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: 'plan: 1 to add',
    });

    // the residual risk: another run's token with pull-requests: write is github-actions[bot] too
    const other = gh.state.addWorkflowRun({
      path: '.github/workflows/evil.yml',
      event: 'pull_request',
      pullRequest: pr.number,
    });
    const attacker = client(
      gh,
      gh.issueToken({
        kind: 'workflow',
        runId: other.id,
        job: 'x',
        permissions: { 'pull-requests': 'write' },
      }),
    );
    await attacker.rest.rest.issues.updateComment({
      ...repo,
      comment_id: sticky.data.id,
      body: 'no changes',
    });
    expect(gh.state.comments.get(sticky.data.id)?.body).toBe('no changes');
  });

  it('lets an App update only its own check runs', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    gh.registerApp({
      appId: 42,
      slug: 'idlc',
      privateKeyPem: rsaKey(),
      installationId: 7,
      permissions: { checks: 'write' },
    });
    const app = client(gh, gh.issueToken({ kind: 'app-installation', appId: 42 }));
    const mine = await app.rest.rest.checks.create({
      ...repo,
      name: 'idlc/plan',
      head_sha: pr.pull?.headSha ?? '',
    });
    expect(mine.data.app).toMatchObject({ id: 42, slug: 'idlc' });
    const run = gh.state.addWorkflowRun({ path: WORKFLOWS.report, event: 'workflow_run' });
    const workflow = client(
      gh,
      gh.issueToken({ kind: 'workflow', runId: run.id, job: 'r', permissions: { checks: 'write' } }),
    );
    expect(
      await outcome(
        workflow.rest.rest.checks.update({ ...repo, check_run_id: mine.data.id, conclusion: 'success' }),
      ),
    ).toEqual({ status: 403, message: NOT_ACCESSIBLE });
    await app.rest.rest.checks.update({ ...repo, check_run_id: mine.data.id, conclusion: 'success' });
    // people cannot write check runs at all
    const admin = client(gh, gh.issueToken({ kind: 'user', login: 'alice', role: 'admin' }));
    expect(
      await outcome(
        admin.rest.rest.checks.create({ ...repo, name: 'idlc/plan', head_sha: pr.pull?.headSha ?? '' }),
      ),
    ).toEqual({ status: 403, message: 'You must authenticate via a GitHub App.' });
  });
});

describe('GitHub double: runs and their artifacts', () => {
  it('lists runs of a workflow file with the fields the apply anchor reads', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const plan = gh.state.addWorkflowRun({
      path: WORKFLOWS.planCaller,
      event: 'pull_request',
      pullRequest: pr.number,
      jobs: ['detect', 'plan (aws/search/dev)'],
    });
    gh.state.addWorkflowRun({ path: WORKFLOWS.apply, event: 'push' });
    gh.state.completeWorkflowRun(plan.id, 'success');
    const api = client(gh, gh.issueToken({ kind: 'user', login: 'alice', role: 'read' }));
    const runs = await api.rest.rest.actions.listWorkflowRuns({
      ...repo,
      workflow_id: 'idlc-plan.yml',
      event: 'pull_request',
      head_sha: pr.pull?.headSha ?? '',
      status: 'success',
    });
    expect(runs.data.total_count).toBe(1);
    expect(runs.data.workflow_runs[0]).toMatchObject({
      id: plan.id,
      path: WORKFLOWS.planCaller,
      event: 'pull_request',
      head_sha: pr.pull?.headSha,
      head_branch: pr.pull?.headRef,
      run_attempt: 1,
      status: 'completed',
      conclusion: 'success',
      head_repository: { full_name: 'acme/platform' },
      pull_requests: [{ number: pr.number }],
    });
    const jobs = await api.rest.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: plan.id });
    expect(jobs.data.jobs.map((j) => [j.name, j.conclusion])).toEqual([
      ['detect', 'success'],
      ['plan (aws/search/dev)', 'success'],
    ]);
    expect((await api.rest.rest.actions.listWorkflowRunsForRepo(repo)).data.total_count).toBe(2);
  });

  it('takes an artifact only from a job token of the same, running run', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    const victim = gh.state.addWorkflowRun({
      path: WORKFLOWS.planCaller,
      event: 'pull_request',
      pullRequest: pr.number,
    });
    const other = gh.state.addWorkflowRun({ path: WORKFLOWS.planCaller, event: 'pull_request' });
    const token = gh.issueToken({
      kind: 'workflow',
      runId: other.id,
      job: 'plan',
      permissions: { contents: 'read' },
    });
    const zip = Buffer.from('PK\u0003\u0004');
    expect(() => gh.state.uploadArtifact(token, 'idlc-plan-x-a1', zip, { runId: victim.id })).toThrow(
      /cannot write into run .*'s artifacts/,
    );
    const own = gh.state.uploadArtifact(token, 'idlc-plan-x-a1', zip);
    expect(own.runId).toBe(other.id);
    expect(() => gh.state.uploadArtifact(token, 'idlc-plan-x-a1', zip)).toThrow(/already has an artifact/);
    gh.state.completeWorkflowRun(other.id);
    expect(() => gh.state.uploadArtifact(token, 'late', zip)).toThrow(/unknown or its run has completed/);
    const api = client(gh, gh.issueToken({ kind: 'user', login: 'alice', role: 'read' }));
    const list = await api.rest.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: victim.id });
    expect(list.data.total_count).toBe(0);
  });
});

describe('GitHub double: reviews, label events, teams', () => {
  it('records reviews with the commit they approve, and dismisses stale approvals when the ruleset says so', async () => {
    const gh = await double();
    gh.state.user('alice');
    const pr = gh.state.addPullRequest({ user: gh.state.user('bob') });
    const head = pr.pull?.headSha ?? '';
    const alice = client(gh, gh.issueToken({ kind: 'user', login: 'alice', role: 'write' }));
    const bob = client(gh, gh.issueToken({ kind: 'user', login: 'bob', role: 'write' }));
    expect(
      await outcome(bob.rest.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: 'APPROVE' })),
    ).toEqual({
      status: 422,
      message: 'Unprocessable Entity: "Can not approve your own pull request"',
    });
    await alice.rest.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: 'APPROVE' });
    const reviews = await bob.rest.rest.pulls.listReviews({ ...repo, pull_number: pr.number });
    expect(reviews.data.map((r) => [r.user?.login, r.state, r.commit_id])).toEqual([
      ['alice', 'APPROVED', head],
    ]);

    gh.state.settings.rulesets.set(1, {
      id: 1,
      nodeId: 'RRS_1',
      name: 'main',
      target: 'branch',
      enforcement: 'active',
      bypassActors: [],
      conditions: { ref_name: { include: ['~DEFAULT_BRANCH'] } },
      rules: [{ type: 'pull_request', parameters: { dismiss_stale_reviews_on_push: true } }],
      createdAt: gh.state.now(),
      updatedAt: gh.state.now(),
    });
    gh.state.pushToPullRequest(pr.number);
    expect(gh.state.reviewsOn(pr.number).map((r) => r.state)).toEqual(['DISMISSED']);
  });

  it('says who added a label, and whether a workflow may approve', async () => {
    const gh = await double();
    const pr = gh.state.addPullRequest();
    gh.state.addLabel(pr.number, 'destroy-approved', 'octocat');
    const run = gh.state.addWorkflowRun({ path: WORKFLOWS.apply, event: 'push' });
    const job = client(
      gh,
      gh.issueToken({
        kind: 'workflow',
        runId: run.id,
        job: 'apply',
        permissions: { 'pull-requests': 'write' },
      }),
    );
    await job.rest.rest.issues.removeLabel({ ...repo, issue_number: pr.number, name: 'destroy-approved' });
    const events = await job.rest.rest.issues.listEvents({ ...repo, issue_number: pr.number });
    expect(
      events.data.map((e) => [e.event, e.actor?.login, (e as { label?: { name: string } }).label?.name]),
    ).toEqual([
      ['labeled', 'octocat', 'destroy-approved'],
      ['unlabeled', 'github-actions[bot]', 'destroy-approved'],
    ]);
    expect(
      await outcome(job.rest.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: 'APPROVE' })),
    ).toEqual({
      status: 422,
      message: 'GitHub Actions is not permitted to approve pull requests.',
    });
  });

  it('answers team membership to an App with members: read, and 403 to a workflow token', async () => {
    const gh = await double();
    gh.state.addTeam({ slug: 'search', members: ['alice', { login: 'carol', state: 'pending' }] });
    gh.registerApp({
      appId: 42,
      slug: 'idlc',
      privateKeyPem: rsaKey(),
      installationId: 7,
      permissions: { members: 'read' },
    });
    const app = client(gh, gh.issueToken({ kind: 'app-installation', appId: 42 }));
    const m = await app.rest.rest.teams.getMembershipForUserInOrg({
      org: 'acme',
      team_slug: 'search',
      username: 'alice',
    });
    expect(m.data).toMatchObject({ role: 'member', state: 'active' });
    const carol = await app.rest.rest.teams.getMembershipForUserInOrg({
      org: 'acme',
      team_slug: 'search',
      username: 'carol',
    });
    expect(carol.data.state).toBe('pending');
    expect(
      (
        await outcome(
          app.rest.rest.teams.getMembershipForUserInOrg({
            org: 'acme',
            team_slug: 'search',
            username: 'bob',
          }),
        )
      ).status,
    ).toBe(404);
    const run = gh.state.addWorkflowRun({ path: WORKFLOWS.apply, event: 'push' });
    const job = client(
      gh,
      gh.issueToken({
        kind: 'workflow',
        runId: run.id,
        job: 'apply',
        permissions: { contents: 'read', 'pull-requests': 'read' },
      }),
    );
    expect(
      await outcome(
        job.rest.rest.teams.getMembershipForUserInOrg({
          org: 'acme',
          team_slug: 'search',
          username: 'alice',
        }),
      ),
    ).toEqual({ status: 403, message: NOT_ACCESSIBLE });
    expect(() =>
      gh.issueToken({
        kind: 'workflow',
        runId: run.id,
        job: 'apply',
        permissions: { members: 'read' } as never,
      }),
    ).toThrow(/cannot grant "members"/);
  });
});

describe('GitHub double: GitHub App installation tokens', () => {
  it('mints a token with the requested subset of permissions from a JWT signed by the App', async () => {
    const gh = await double();
    const pem = rsaKey();
    gh.registerApp({
      appId: 42,
      slug: 'idlc',
      privateKeyPem: pem,
      installationId: 7,
      permissions: { checks: 'write', pull_requests: 'write', members: 'read' },
    });
    const jwt = await appJwt(pem, 42);
    const asApp = client(gh, jwt);
    const inst = await asApp.rest.rest.apps.getRepoInstallation(repo);
    expect(inst.data).toMatchObject({ id: 7, app_id: 42, app_slug: 'idlc' });
    const minted = await asApp.rest.rest.apps.createInstallationAccessToken({
      installation_id: 7,
      repositories: ['platform'],
      permissions: { checks: 'write' },
    });
    expect(minted.data.permissions).toEqual({ checks: 'write', metadata: 'read' });
    const pr = gh.state.addPullRequest();
    const app = client(gh, minted.data.token);
    const check = await app.rest.rest.checks.create({
      ...repo,
      name: 'idlc/plan',
      head_sha: pr.pull?.headSha ?? '',
    });
    expect(check.data.app?.slug).toBe('idlc');
    expect(
      await outcome(app.rest.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'x' })),
    ).toEqual({ status: 403, message: NOT_ACCESSIBLE });
    // more than was granted, a JWT of another key, and a JWT on a repository endpoint
    expect(
      await outcome(
        asApp.rest.rest.apps.createInstallationAccessToken({
          installation_id: 7,
          permissions: { contents: 'write' },
        }),
      ),
    ).toEqual({ status: 422, message: 'The permissions requested are not granted to this installation.' });
    expect(
      (await outcome(client(gh, await appJwt(rsaKey(), 42)).rest.rest.apps.getRepoInstallation(repo))).status,
    ).toBe(401);
    expect((await outcome(asApp.rest.rest.repos.get(repo))).status).toBe(403);
  });
});

describe('GitHub double: repository administration needs an admin', () => {
  it('writes environments, the OIDC template and rulesets for an admin, and refuses a writer', async () => {
    const gh = await double();
    const team = gh.state.addTeam({ slug: 'search', members: ['alice'] });
    const admin = client(gh, gh.issueToken({ kind: 'user', login: 'root', role: 'admin' }));
    const writer = client(gh, gh.issueToken({ kind: 'user', login: 'bob', role: 'write' }));
    const env = await admin.rest.rest.repos.createOrUpdateEnvironment({
      ...repo,
      environment_name: 'search-prod',
      prevent_self_review: true,
      reviewers: [{ type: 'Team', id: team.id }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
    expect(env.data.protection_rules?.map((r) => r.type)).toEqual(['required_reviewers', 'branch_policy']);
    await admin.rest.rest.repos.createDeploymentBranchPolicy({
      ...repo,
      environment_name: 'search-prod',
      name: 'main',
      type: 'branch',
    });
    const policies = await writer.rest.rest.repos.listDeploymentBranchPolicies({
      ...repo,
      environment_name: 'search-prod',
    });
    expect(policies.data.branch_policies.map((p) => p.name)).toEqual(['main']);
    expect(
      await outcome(
        writer.rest.rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: 'search-dev' }),
      ),
    ).toEqual({ status: 403, message: 'Must have admin rights to Repository.' });

    await admin.rest.rest.actions.setCustomOidcSubClaimForRepo({
      ...repo,
      use_default: false,
      include_claim_keys: ['repo', 'context', 'job_workflow_ref'],
    });
    expect((await writer.rest.rest.actions.getCustomOidcSubClaimForRepo(repo)).data).toEqual({
      use_default: false,
      include_claim_keys: ['repo', 'context', 'job_workflow_ref'],
    });

    const created = await admin.rest.rest.repos.createRepoRuleset({
      ...repo,
      name: 'idlc',
      enforcement: 'active',
      conditions: { ref_name: { include: ['refs/heads/main'], exclude: [] } },
      rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }],
    });
    expect((await writer.rest.rest.repos.getRepoRulesets(repo)).data.map((r) => r.name)).toEqual(['idlc']);
    expect(
      (
        await outcome(
          writer.rest.rest.repos.updateRepoRuleset({
            ...repo,
            ruleset_id: created.data.id,
            enforcement: 'disabled',
          }),
        )
      ).status,
    ).toBe(403);
    expect(
      await outcome(
        admin.rest.rest.repos.createRepoRuleset({ ...repo, name: 'idlc', enforcement: 'active' }),
      ),
    ).toMatchObject({ status: 422 });
  });
});

function rsaKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

async function appJwt(pem: string, appId: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(String(appId))
    .setIssuedAt(now - 30)
    .setExpirationTime(now + 540)
    .sign(await importPKCS8(pem, 'RS256'));
}

describe('GitHub double: every new operation answers what the description allows', () => {
  it('serves each workflow, review, label, team, environment and ruleset operation without a contract violation', async () => {
    const gh = await double();
    const t = gh.state.addTeam({
      slug: 'search',
      members: ['alice', { login: 'carol', role: 'maintainer' }],
    });
    gh.state.user('alice');
    const pr = gh.state.addPullRequest();
    const run = gh.state.addWorkflowRun({
      path: WORKFLOWS.planCaller,
      event: 'pull_request',
      pullRequest: pr.number,
    });
    gh.state.rerunWorkflowRun(run.id);
    gh.registerApp({
      appId: 42,
      slug: 'idlc',
      privateKeyPem: rsaKey(),
      installationId: 7,
      permissions: { members: 'read', actions: 'read' },
    });
    const app = client(gh, gh.issueToken({ kind: 'app-installation', appId: 42 })).rest;
    const admin = client(gh, gh.issueToken({ kind: 'user', login: 'root', role: 'admin' })).rest;
    const alice = client(gh, gh.issueToken({ kind: 'user', login: 'alice', role: 'write' })).rest;
    const r = repo;

    const workflows = await admin.rest.actions.listRepoWorkflows(r);
    expect(workflows.data.workflows.map((w) => w.path)).toEqual([WORKFLOWS.planCaller]);
    await admin.rest.actions.getWorkflow({ ...r, workflow_id: workflows.data.workflows[0]?.id ?? 0 });
    const attempt1 = await admin.rest.actions.getWorkflowRunAttempt({
      ...r,
      run_id: run.id,
      attempt_number: 1,
    });
    expect(attempt1.data.run_attempt).toBe(1);
    const jobs = await admin.rest.actions.listJobsForWorkflowRunAttempt({
      ...r,
      run_id: run.id,
      attempt_number: 2,
    });
    await admin.rest.actions.getJobForWorkflowRun({ ...r, job_id: jobs.data.jobs[0]?.id ?? 0 });
    expect(
      (await admin.rest.actions.listJobsForWorkflowRun({ ...r, run_id: run.id, filter: 'all' })).data
        .total_count,
    ).toBe(2);

    const review = await alice.rest.pulls.createReview({
      ...r,
      pull_number: pr.number,
      event: 'COMMENT',
      body: 'hm',
    });
    await admin.rest.pulls.getReview({ ...r, pull_number: pr.number, review_id: review.data.id });
    const dismissed = await admin.rest.pulls.dismissReview({
      ...r,
      pull_number: pr.number,
      review_id: review.data.id,
      message: 'stale',
    });
    expect(dismissed.data.state).toBe('DISMISSED');
    await alice.rest.issues.addLabels({ ...r, issue_number: pr.number, labels: ['plan'] });
    expect(
      (await alice.rest.issues.listLabelsOnIssue({ ...r, issue_number: pr.number })).data.map((l) => l.name),
    ).toEqual(['plan']);
    await alice.rest.issues.update({ ...r, issue_number: pr.number, labels: [], state: 'closed' });
    expect(gh.state.eventsOn(pr.number).map((e) => e.event)).toEqual([
      'review_dismissed',
      'labeled',
      'unlabeled',
      'closed',
    ]);

    expect((await app.rest.teams.getByName({ org: 'acme', team_slug: 'search' })).data.id).toBe(t.id);
    const maintainers = await app.rest.teams.listMembersInOrg({
      org: 'acme',
      team_slug: 'search',
      role: 'maintainer',
    });
    expect(maintainers.data.map((u) => u.login)).toEqual(['carol']);

    await admin.rest.repos.createOrUpdateEnvironment({
      ...r,
      environment_name: 'search-dev',
      wait_timer: 5,
      reviewers: [{ type: 'User', id: gh.state.user('alice').id }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
    const policy = await admin.rest.repos.createDeploymentBranchPolicy({
      ...r,
      environment_name: 'search-dev',
      name: 'main',
    });
    await admin.rest.repos.updateDeploymentBranchPolicy({
      ...r,
      environment_name: 'search-dev',
      branch_policy_id: policy.data.id ?? 0,
      name: 'trunk',
    });
    const got = await admin.rest.repos.getDeploymentBranchPolicy({
      ...r,
      environment_name: 'search-dev',
      branch_policy_id: policy.data.id ?? 0,
    });
    expect(got.data.name).toBe('trunk');
    expect((await admin.rest.repos.getAllEnvironments(r)).data.environments?.map((e) => e.name)).toEqual([
      'search-dev',
    ]);
    await admin.rest.repos.deleteAnEnvironment({ ...r, environment_name: 'search-dev' });
    const perms = await admin.rest.actions.getGithubActionsDefaultWorkflowPermissionsRepository(r);
    expect(perms.data).toEqual({
      default_workflow_permissions: 'read',
      can_approve_pull_request_reviews: false,
    });
    const rs = await admin.rest.repos.createRepoRuleset({
      ...r,
      name: 'x',
      enforcement: 'disabled',
      rules: [
        {
          type: 'required_status_checks',
          parameters: {
            strict_required_status_checks_policy: false,
            required_status_checks: [{ context: 'idlc/plan' }],
          },
        },
      ],
    });
    await admin.rest.repos.getRepoRuleset({ ...r, ruleset_id: rs.data.id });
    await admin.rest.repos.deleteRepoRuleset({ ...r, ruleset_id: rs.data.id });
    expect(gh.violations).toEqual([]);
  });
});
