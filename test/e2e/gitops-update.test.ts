import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInputs, runGitopsUpdate } from '../../actions/gitops-update/src/run.ts';
import { createGitHubClient, silentLogger } from '../../src/github/client.ts';
import { githubRepoApi } from '../../src/gitops/repo-api.ts';
import { TempRepo } from '../support/git-repo.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { commitsSince, fileAt, seedFromGit } from '../support/gitops-seed.ts';

const overlay = (
  team: string,
  env: string,
  app: string,
  pin: string,
  extra = '',
) => `# ${team}/${env}/${app}: the one file automation edits.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${team}-${env}
resources:
  - ../../base/${app}

images:
  - name: ${app}
    newName: 200000000001.dkr.ecr.eu-west-1.amazonaws.com/${team}/${app}
    ${pin}${extra}
`;

const SEARCH_API = overlay('search', 'dev', 'api', 'newTag: "1.4.2" # bumped by CI');
const HELD = overlay('search', 'dev', 'held', 'newTag: 1.4.1 # idlc: hold (rollback INC-4711)');

let gh: GitHubDouble;
let repo: TempRepo;
let seeded: string;

let token: string;
// a workflow token with only contents: write (what a gitops-update job needs)
function client() {
  return createGitHubClient({
    token,
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retryBaseMs: 1,
    throttle: false,
  });
}

const ctx = (event: Record<string, unknown> = {}, eventName = 'workflow_dispatch') => ({
  repo: { owner: 'acme', repo: 'platform' },
  serverUrl: 'https://github.com',
  eventName,
  event,
  sha: 'c0ffee0000000000000000000000000000000001',
});

async function update(raw: Record<string, string>, event?: Record<string, unknown>, eventName?: string) {
  return runGitopsUpdate(
    {
      api: githubRepoApi(client(), { owner: 'acme', repo: 'platform' }),
      log: silentLogger,
      retry: { baseMs: 2, capMs: 40 },
    },
    parseInputs(raw),
    ctx(event, eventName),
  );
}

const commitRequests = () =>
  gh.requests.filter((r) => r.graphql?.rootFields.includes('createCommitOnBranch'));

beforeAll(async () => {
  gh = await startGitHubDouble({ owner: 'acme', repo: 'platform' });
  const run = gh.state.addWorkflowRun({ path: '.github/workflows/build.yml', event: 'push' });
  token = gh.issueToken({
    kind: 'workflow',
    runId: run.id,
    job: 'deploy',
    ref: 'refs/heads/main',
    permissions: { contents: 'write' },
  });
  repo = new TempRepo('idlc-gitops-');
  const files: Record<string, string> = {
    'sdlc/teams/search/dev/api/kustomization.yaml': SEARCH_API,
    'sdlc/teams/search/dev/held/kustomization.yaml': HELD,
  };
  // five apps with two images each: the ten concurrent writers share files pairwise
  for (let i = 0; i < 5; i++) {
    files[`sdlc/teams/load/dev/app-${i}/kustomization.yaml`] = `images:
  - name: web # first image
    newTag: "1.0.0"
  - name: worker
    newTag: "1.0.0"
`;
  }
  repo.write(files).commit('sdlc fixtures');
  seeded = seedFromGit(gh, repo);
});
afterAll(async () => {
  await gh?.close();
  repo?.cleanup();
});

describe('gitops-update against the GitHub double (GraphQL createCommitOnBranch)', () => {
  it('edits one scalar in place and commits it with the deploy message and trailers', async () => {
    const run = await update({ team: 'search', env: 'dev', app: 'api', tag: '1.5.0', 'source-pr': '42' });
    expect(run.outputs['changed']).toBe('true');
    const tip = gh.state.commits.get(gh.state.refs.get('heads/main') ?? '');
    expect(tip?.message).toBe(
      [
        'chore(deploy): search/api dev 1.4.2 -> 1.5.0',
        '',
        '- search/api dev api: 1.4.2 -> 1.5.0',
        '',
        'Source-Commit: c0ffee0000000000000000000000000000000001',
        'Source-PR: https://github.com/acme/platform/pull/42',
      ].join('\n'),
    );
    expect(run.outputs['commit-sha']).toBe(tip?.sha);
    expect(fileAt(gh, 'sdlc/teams/search/dev/api/kustomization.yaml')).toBe(
      SEARCH_API.replace('newTag: "1.4.2" # bumped by CI', 'newTag: "1.5.0" # bumped by CI'),
    );
    expect(tip?.parents).toEqual([seeded]);
    expect(JSON.parse(run.outputs['changes'] ?? '')).toEqual([
      {
        team: 'search',
        env: 'dev',
        app: 'api',
        pin: 'api',
        old: '1.4.2',
        new: '1.5.0',
        file: 'sdlc/teams/search/dev/api/kustomization.yaml',
      },
    ]);
  });

  it('10 concurrent updates to one branch: 10 commits, none lost, each made against its expectedHeadOid', async () => {
    const before = gh.state.refs.get('heads/main') ?? '';
    const sentBefore = commitRequests().length;
    const jobs = Array.from({ length: 10 }, (_, k) =>
      update({
        team: 'load',
        env: 'dev',
        app: `app-${k % 5}`,
        image: k < 5 ? 'web' : 'worker',
        tag: `2.0.${k}`,
      }),
    );
    const runs = await Promise.all(jobs);
    expect(runs.map((r) => r.outputs['changed'])).toEqual(Array(10).fill('true'));

    const made = commitsSince(gh, before);
    expect(made).toHaveLength(10);
    // none lost: every app file has both of its new pins
    for (let i = 0; i < 5; i++) {
      expect(fileAt(gh, `sdlc/teams/load/dev/app-${i}/kustomization.yaml`)).toBe(`images:
  - name: web # first image
    newTag: "2.0.${i}"
  - name: worker
    newTag: "2.0.${i + 5}"
`);
    }
    // every commit landed on exactly the head its writer had read (compare-and-swap)
    const input = (r: (typeof gh.requests)[number]) =>
      (
        r.graphql?.variables as
          | { input: { expectedHeadOid: string; message: { headline: string } } }
          | undefined
      )?.input ?? { expectedHeadOid: '', message: { headline: '' } };
    const sent = commitRequests().slice(sentBefore);
    for (const c of made) {
      const headline = c.message.split('\n')[0];
      const mine = sent.filter((r) => input(r).message.headline === headline);
      const landed = mine.filter((r) => input(r).expectedHeadOid === c.parents[0]);
      expect(landed, headline).toHaveLength(1);
    }
    // the losers of each race were refused, not merged blindly
    expect(sent.length).toBeGreaterThan(10);
  });

  it('no change: no commit and changed=false', async () => {
    const sentBefore = commitRequests().length;
    const head = gh.state.refs.get('heads/main');
    const run = await update({ team: 'search', env: 'dev', app: 'api', tag: '1.5.0' });
    expect(run.outputs['changed']).toBe('false');
    expect(commitRequests().length).toBe(sentBefore);
    expect(gh.state.refs.get('heads/main')).toBe(head);
  });

  it('a held pin is left alone with a clear message, and nothing is committed', async () => {
    const sentBefore = commitRequests().length;
    const run = await update({ team: 'search', env: 'dev', app: 'held', tag: '1.5.0' });
    expect(run.outputs['changed']).toBe('false');
    expect(run.warnings).toEqual([
      'search/dev/held: sdlc/teams/search/dev/held/kustomization.yaml:11: images[name=held].newTag: held at 1.4.1 (marked "# idlc: hold"); automation does not change it to 1.5.0\n  fix: remove the "# idlc: hold" comment by hand (a reviewed PR) when the hold is over',
    ]);
    expect(commitRequests().length).toBe(sentBefore);
  });

  it('missing app, env or key: an error that says which and how to fix it, and no commit', async () => {
    const sentBefore = commitRequests().length;
    await expect(update({ team: 'search', env: 'dev', app: 'nope', tag: '1.5.0' })).rejects.toThrow(
      /sdlc\/teams\/search\/dev\/nope\/kustomization\.yaml: does not exist on main at [0-9a-f]{12}: team search has no app "nope" in env "dev"/,
    );
    await expect(update({ team: 'search', env: 'qa', app: 'api', tag: '1.5.0' })).rejects.toThrow(
      /has no app "api" in env "qa"/,
    );
    await expect(
      update({ team: 'search', env: 'dev', app: 'api', digest: `sha256:${'d'.repeat(64)}` }),
    ).rejects.toThrow(/images\[name=api\]\.newTag: this env pins api by tag, and the update gives no tag/);
    await expect(
      update({ team: 'search', env: 'dev', app: 'api', image: 'ui', tag: '1.0.0' }),
    ).rejects.toThrow(/no image named "ui" is pinned here \(pinned: api\)/);
    expect(commitRequests().length).toBe(sentBefore);
  });

  it('never acts on its own deploy commits (no workflow loop)', async () => {
    const sentBefore = gh.requests.length;
    const run = await update(
      { team: 'search', env: 'dev', app: 'api', tag: '9.9.9' },
      { head_commit: { message: 'chore(deploy): search/api dev 1.4.2 -> 1.5.0\n\nSource-Commit: abc' } },
      'push',
    );
    expect(run.outputs['changed']).toBe('false');
    expect(run.summary).toMatch(/skipped — the pushed commit is itself a deploy commit/);
    expect(gh.requests.length).toBe(sentBefore);
  });

  it('several apps of one merge: one commit covering all of them', async () => {
    const before = gh.state.refs.get('heads/main') ?? '';
    const run = await update({
      updates: JSON.stringify([
        { team: 'load', env: 'dev', app: 'app-0', image: 'web', tag: '3.0.0' },
        { team: 'load', env: 'dev', app: 'app-1', image: 'web', tag: '3.0.0' },
        { team: 'search', env: 'dev', app: 'held', tag: '3.0.0' },
      ]),
      'source-commit': 'feed000000000000000000000000000000000002',
    });
    const made = commitsSince(gh, before);
    expect(made).toHaveLength(1);
    expect(made[0]?.message.split('\n')[0]).toBe('chore(deploy): load/app-0 dev 2.0.0 -> 3.0.0 (+1 more)');
    expect(made[0]?.message).toContain('- load/app-1 dev web: 2.0.1 -> 3.0.0');
    expect(made[0]?.message).toContain('Source-Commit: feed000000000000000000000000000000000002');
    expect(run.warnings).toHaveLength(1);
  });
});
