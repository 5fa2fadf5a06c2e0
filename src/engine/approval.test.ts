import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../../test/support/github-double/index.ts';
import { createGitHubClient } from '../github/client.ts';
import { approvedLabels, verifyApproval } from './approval.ts';

const repo = { owner: 'acme', repo: 'platform' };
const doubles: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

/** A strict double with a PR by mallory and the search team (alice, bob). */
async function setup() {
  const gh = await startGitHubDouble({ ...repo, strictTokens: true });
  doubles.push(gh);
  gh.state.addTeam({ slug: 'search', members: ['alice', 'bob'] });
  const pr = gh.state.addPullRequest({ user: gh.state.user('mallory') });
  const run = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-apply.yml', event: 'push' });
  const workflowToken = gh.issueToken({
    kind: 'workflow',
    runId: run.id,
    job: 'apply',
    permissions: { contents: 'read', 'pull-requests': 'read', actions: 'read' },
  });
  const client = (token: string) =>
    createGitHubClient({ token, apiUrl: gh.url, graphqlUrl: gh.graphqlUrl, retryBaseMs: 5, throttle: false })
      .rest;
  const party = { number: pr.number, headSha: pr.pull!.headSha, author: 'mallory' };
  return { gh, pr, party, workflow: client(workflowToken), client };
}

const owners = { logins: [] as string[], ownerTeams: ['@acme/search'] };

function appToken(gh: GitHubDouble) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  gh.registerApp({
    appId: 4242,
    slug: 'idlc',
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    installationId: 77,
    permissions: { members: 'read', pull_requests: 'read' },
  });
  return gh.issueToken({
    kind: 'app-installation',
    appId: 4242,
    permissions: { members: 'read', pull_requests: 'read' },
  });
}

describe('verifyApproval: an owner who is not the author approved the final head', () => {
  it('accepts a listed approver who approved the final head', async () => {
    const { gh, pr, party, workflow } = await setup();
    gh.state.addReview(pr.number, { user: 'carol', commitId: party.headSha });
    expect(
      await verifyApproval(workflow, repo, party, { logins: ['carol'], ownerTeams: [] }, 'aws/search/prod'),
    ).toEqual(['carol']);
  });

  it('accepts an active member of an owner team, read with the App token', async () => {
    const { gh, pr, party, client } = await setup();
    gh.state.addReview(pr.number, { user: 'alice', commitId: party.headSha });
    expect(await verifyApproval(client(appToken(gh)), repo, party, owners, 'aws/search/prod')).toEqual([
      'alice',
    ]);
  });

  it('refuses a team member when the workflow token cannot read membership, naming the fix', async () => {
    const { gh, pr, party, workflow } = await setup();
    gh.state.addReview(pr.number, { user: 'alice', commitId: party.headSha });
    await expect(verifyApproval(workflow, repo, party, owners, 'aws/search/prod')).rejects.toThrow(
      /alice: team membership could not be read[\s\S]*idlc App token \(organization members: read\) or list approvers/,
    );
  });

  it('refuses the author approving their own PR', async () => {
    const { gh, pr, party, workflow } = await setup();
    // GitHub refuses a self-approval through the API; a review record by the author can still
    // exist (e.g. an admin's setting) and must not count.
    gh.state.addReview(pr.number, { user: 'mallory', commitId: party.headSha });
    await expect(
      verifyApproval(workflow, repo, party, { logins: ['mallory'], ownerTeams: [] }, 'aws/search/prod'),
    ).rejects.toThrow(/no approval of its final head .* \(mallory is the author\)/);
  });

  it('refuses an approval of an earlier commit (stale)', async () => {
    const { gh, pr, party, workflow } = await setup();
    gh.state.addReview(pr.number, { user: 'carol', commitId: party.headSha });
    const pushed = gh.state.pushToPullRequest(pr.number, 'sneaky change after approval');
    await expect(
      verifyApproval(
        workflow,
        repo,
        { ...party, headSha: pushed.sha },
        { logins: ['carol'], ownerTeams: [] },
        'aws/search/prod',
      ),
    ).rejects.toThrow(/carol approved [0-9a-f]{12}, not the final head \(stale\)/);
  });

  it('refuses an approval by someone who does not own the stack', async () => {
    const { gh, pr, party, client } = await setup();
    gh.state.addReview(pr.number, { user: 'eve', commitId: party.headSha });
    await expect(
      verifyApproval(client(appToken(gh)), repo, party, owners, 'aws/search/prod'),
    ).rejects.toThrow(/eve is not an owner of this stack/);
  });

  it('lets a later "changes requested" by the same owner withdraw the approval', async () => {
    const { gh, pr, party, workflow } = await setup();
    gh.state.addReview(pr.number, { user: 'carol', commitId: party.headSha });
    gh.state.addReview(pr.number, { user: 'carol', commitId: party.headSha, state: 'CHANGES_REQUESTED' });
    await expect(
      verifyApproval(workflow, repo, party, { logins: ['carol'], ownerTeams: [] }, 'aws/search/prod'),
    ).rejects.toThrow(/has no approval of its final head/);
  });
});

describe('approvedLabels: destroy-approved counts only when an owner who is not the author added it', () => {
  it('ignores the label the author added, even an author who owns the stack, and keeps the one another owner added', async () => {
    const { gh, pr, party, workflow } = await setup();
    const approvers = { logins: ['carol', 'mallory'], ownerTeams: [] };
    gh.state.addLabel(pr.number, 'destroy-approved', 'mallory');
    expect(await approvedLabels(workflow, repo, party, ['destroy-approved'], approvers)).toEqual([]);
    gh.state.removeLabel(pr.number, 'destroy-approved', 'mallory');
    gh.state.addLabel(pr.number, 'destroy-approved', 'eve');
    expect(await approvedLabels(workflow, repo, party, ['destroy-approved'], approvers)).toEqual([]);
    gh.state.removeLabel(pr.number, 'destroy-approved', 'eve');
    gh.state.addLabel(pr.number, 'destroy-approved', 'carol');
    expect(await approvedLabels(workflow, repo, party, ['destroy-approved'], approvers)).toEqual([
      'destroy-approved',
    ]);
  });
});
