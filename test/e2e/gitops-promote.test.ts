import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInputs, runPromote } from '../../actions/promote/src/run.ts';
import { loadRegistry } from '../../src/config/load.ts';
import { createGitHubClient, silentLogger } from '../../src/github/client.ts';
import { httpArgoCdClient } from '../../src/gitops/argocd-gate.ts';
import { githubRepoApi } from '../../src/gitops/repo-api.ts';
import { TempRepo } from '../support/git-repo.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { requestedReviewers } from '../support/github-double/rest-pulls.ts';
import { commitsSince, fileAt, seedFromGit } from '../support/gitops-seed.ts';
import { type ArgoDouble, startArgoCdDouble } from './gitops-argocd-double.ts';

const REGISTRY = `version: 1
github:
  repository: acme/platform
engine: { name: tofu, version: 1.12.6 }
clouds: { aws: { default_region: eu-west-1 } }
environments:
  - name: dev
  - name: staging
  - name: prod
    protected: true
state: { bucket: "idlc-tfstate-{team}-{account_id}" }
teams:
  search:
    owners: ["@acme/search", "@partner/sre"]
    cost_center: cc-2100
    envs:
      dev: { aws: { account_id: "200000000001" } }
      staging: { aws: { account_id: "200000000002" } }
      prod: { aws: { account_id: "200000000003" } }
`;

const D = (c: string) => `sha256:${c.repeat(64)}`;
const api = (env: string, tag: string, digest: string) => `# search/${env}/api
images:
  - name: api
    newName: 2000000000${env === 'dev' ? '01' : env === 'staging' ? '02' : '03'}.dkr.ecr.eu-west-1.amazonaws.com/search/api
    newTag: "${tag}"
    digest: ${digest}
`;
const chat = (tag: string, hold = '') => `images:
  - name: chat
    newTag: "${tag}"${hold}
`;

let gh: GitHubDouble;
let argo: ArgoDouble;
let repo: TempRepo;

let token: string;
// the job's own permissions in idlc-promote.yml: the double refuses anything more
const client = () =>
  createGitHubClient({
    token,
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retryBaseMs: 1,
    throttle: false,
  });

async function promote(raw: Record<string, string>, opts: { gate?: boolean } = {}) {
  const { registry } = await loadRegistry(repo.dir);
  const c = client();
  return runPromote(
    {
      api: githubRepoApi(c, { owner: 'acme', repo: 'platform' }),
      gh: c,
      ...(opts.gate ? { argo: httpArgoCdClient({ url: argo.url, token: argo.token }) } : {}),
      log: silentLogger,
      retry: { baseMs: 2, capMs: 20 },
    },
    parseInputs(raw),
    {
      root: repo.dir,
      registry,
      repo: { owner: 'acme', repo: 'platform' },
      serverUrl: 'https://github.com',
      defaultBranch: 'main',
      runUrl: 'https://github.com/acme/platform/actions/runs/77',
      actor: 'alice',
    },
  );
}

const writes = () =>
  gh.requests.filter(
    (r) => r.method !== 'GET' && !(r.graphql && !r.graphql.rootFields.includes('createCommitOnBranch')),
  ).length;

beforeAll(async () => {
  gh = await startGitHubDouble({ owner: 'acme', repo: 'platform' });
  argo = await startArgoCdDouble('https://github.com/acme/platform.git');
  gh.state.addTeam({ slug: 'search', name: 'search' });
  const run = gh.state.addWorkflowRun({
    path: '.github/workflows/idlc-promote.yml',
    event: 'workflow_dispatch',
  });
  token = gh.issueToken({
    kind: 'workflow',
    runId: run.id,
    job: 'promote',
    ref: 'refs/heads/main',
    permissions: { contents: 'write', 'pull-requests': 'write' },
  });
  repo = new TempRepo('idlc-promote-');
  repo
    .write({
      'idlc.yaml': REGISTRY,
      'sdlc/teams/search/dev/api/kustomization.yaml': api('dev', '1.5.0', D('1')),
      'sdlc/teams/search/staging/api/kustomization.yaml': api('staging', '1.4.2', D('2')),
      'sdlc/teams/search/prod/api/kustomization.yaml': api('prod', '1.4.0', D('3')),
      'sdlc/teams/search/dev/chat/kustomization.yaml': chat('2.0.0'),
      'sdlc/teams/search/staging/chat/kustomization.yaml': chat('1.9.0'),
      'sdlc/teams/search/prod/chat/kustomization.yaml': chat('1.8.0', ' # idlc: hold (rollback INC-7)'),
    })
    .commit('fixtures');
  seedFromGit(gh, repo);
});
afterAll(async () => {
  await gh?.close();
  await argo?.close();
  repo?.cleanup();
});

describe('promotion along the registry order', () => {
  it('refuses to skip an env the registry does not allow, before writing anything', async () => {
    const before = writes();
    await expect(promote({ team: 'search', app: 'api', from: 'dev', to: 'prod' })).rejects.toThrow(
      'prod cannot be promoted from dev: the registry allows staging as its source (order dev → staging → prod)\n  fix: promote staging → prod (after dev → staging), or list dev in environments[2].promote_from of idlc.yaml to allow skipping',
    );
    await expect(promote({ team: 'search', app: 'api', from: 'staging', to: 'dev' })).rejects.toThrow(
      /dev cannot be promoted from staging: the registry allows no env as its source/,
    );
    await expect(promote({ team: 'search', app: 'api', from: 'dev', to: 'qa' })).rejects.toThrow(
      'environment "qa" is not declared in idlc.yaml',
    );
    expect(writes()).toBe(before);
  });

  it('a missing app is an error; a held target pin stays and nothing is committed', async () => {
    const before = writes();
    await expect(promote({ team: 'search', app: 'ui', from: 'dev', to: 'staging' })).rejects.toThrow(
      /sdlc\/teams\/search\/dev\/ui\/kustomization\.yaml: does not exist: search has no app "ui" in dev/,
    );
    // staging pins api by digest; dev has one: fine. chat into prod is held:
    const held = await promote({ team: 'search', app: 'chat', from: 'staging', to: 'prod' });
    expect(held.outputs['mode']).toBe('none');
    expect(held.warnings).toEqual([
      'search/prod/chat: sdlc/teams/search/prod/chat/kustomization.yaml:3: images[name=chat].newTag: held at 1.8.0 (marked "# idlc: hold"); automation does not change it to 1.9.0\n  fix: remove the "# idlc: hold" comment by hand (a reviewed PR) when the hold is over',
    ]);
    expect(writes()).toBe(before);
  });

  it('dev → staging (unprotected): one direct commit with the pins that are in dev', async () => {
    const head = gh.state.refs.get('heads/main') ?? '';
    const run = await promote({ team: 'search', from: 'dev', to: 'staging' });
    expect(run.outputs['mode']).toBe('commit');
    const made = commitsSince(gh, head);
    expect(made).toHaveLength(1);
    expect(made[0]?.message.split('\n')[0]).toBe(
      'chore(deploy): search/api staging 1.4.2 -> 1.5.0 (+1 more)',
    );
    expect(made[0]?.message).toContain('promote dev -> staging');
    expect(fileAt(gh, 'sdlc/teams/search/staging/api/kustomization.yaml')).toBe(
      api('staging', '1.5.0', D('1')),
    );
    expect(fileAt(gh, 'sdlc/teams/search/staging/chat/kustomization.yaml')).toBe(chat('2.0.0'));
    // and again: nothing left to promote, no commit
    const again = await promote({ team: 'search', from: 'dev', to: 'staging' });
    expect(again.outputs['mode']).toBe('none');
    expect(commitsSince(gh, head)).toHaveLength(1);
  });

  it('staging → prod (protected): a PR on promote/<team>/<app>/<to> with the table, links and the owners as reviewers', async () => {
    const main = gh.state.refs.get('heads/main') ?? '';
    const run = await promote({ team: 'search', app: 'api', from: 'staging', to: 'prod' });
    expect(run.outputs['mode']).toBe('pull-request');
    expect(gh.state.refs.get('heads/main')).toBe(main); // prod never changes without review
    const pr = gh.state.issues.get(Number(run.outputs['pull-request']));
    expect(pr?.pull?.headRef).toBe('promote/search/api/prod');
    expect(pr?.pull?.baseRef).toBe('main');
    expect(pr?.title).toBe('chore(deploy): promote search/api staging -> prod');
    const src = `https://github.com/acme/platform/blob/${main}/sdlc/teams/search/staging/api/kustomization.yaml#L5`;
    expect(pr?.body).toBe(
      [
        `Promotes **search/api** from **staging** to **prod**: the pins below are copied from what is pinned in staging at [${main.slice(0, 7)}](https://github.com/acme/platform/commit/${main}).`,
        '',
        '| app | pin | prod now (old) | after merge (new) | source |',
        '| --- | --- | --- | --- | --- |',
        `| search/api | api | <code>1.4.0</code> | <code>1.5.0</code> | [staging](${src}) |`,
        `| search/api | api | <code>${D('3')}</code> | <code>${D('1')}</code> | [staging](${src}) |`,
        '',
        'Opened by @alice through [idlc promote](https://github.com/acme/platform/actions/runs/77).',
        '',
        '<!-- idlc:promotion search/api/prod -->',
      ].join('\n'),
    );
    expect(requestedReviewers(gh.state, pr?.number ?? 0)).toEqual({ users: [], teams: ['search'] });
    expect(run.warnings).toEqual(['owners @partner/sre are not teams of acme: not requested as reviewers']);
    expect(fileAt(gh, 'sdlc/teams/search/prod/api/kustomization.yaml', 'promote/search/api/prod')).toBe(
      api('prod', '1.5.0', D('1')),
    );
    const branchTip = gh.state.commits.get(gh.state.refs.get('heads/promote/search/api/prod') ?? '');
    expect(branchTip?.parents).toEqual([main]);
  });

  it('a newer promotion to the same target replaces the stale PR (closed, pointing at the new one)', async () => {
    const stale = [...gh.state.issues.values()].find(
      (i) => i.pull?.headRef === 'promote/search/api/prod' && i.state === 'open',
    );
    // staging moves on
    const base = gh.state.refs.get('heads/main') ?? '';
    const next = gh.state.addCommit({
      message: 'staging gets 1.5.1',
      parents: [base],
      changes: {
        additions: { 'sdlc/teams/search/staging/api/kustomization.yaml': api('staging', '1.5.1', D('4')) },
      },
    });
    gh.state.refs.set('heads/main', next.sha);
    const run = await promote({ team: 'search', app: 'api', from: 'staging', to: 'prod' });
    const fresh = gh.state.issues.get(Number(run.outputs['pull-request']));
    expect(fresh?.number).not.toBe(stale?.number);
    expect(gh.state.issues.get(stale?.number ?? 0)?.state).toBe('closed');
    expect(gh.state.commentsOn(stale?.number ?? 0).map((c) => c.body)).toEqual([
      `Superseded by #${fresh?.number}: a newer promotion of search/api to prod (approvals do not carry over).`,
    ]);
    expect(fresh?.body).toContain(`Replaces #${stale?.number}.`);
    expect(fresh?.body).toContain('| search/api | api | <code>1.4.0</code> | <code>1.5.1</code> |');
    const open = [...gh.state.issues.values()].filter(
      (i) => i.pull?.headRef === 'promote/search/api/prod' && i.state === 'open',
    );
    expect(open.map((i) => i.number)).toEqual([fresh?.number]);
    expect(fileAt(gh, 'sdlc/teams/search/prod/api/kustomization.yaml', 'promote/search/api/prod')).toBe(
      api('prod', '1.5.1', D('4')),
    );
  });

  it('the Argo CD gate: promotes only what is Synced and Healthy at a revision pinning it', async () => {
    const main = gh.state.refs.get('heads/main') ?? '';
    const older = gh.state.commits.get(main)?.parents[0] ?? '';
    argo.set('search-staging-api', { sync: 'Synced', revision: older, health: 'Healthy' });
    await expect(
      promote({ team: 'search', app: 'api', from: 'staging', to: 'prod' }, { gate: true }),
    ).rejects.toThrow(
      /search\/staging\/api \(Argo CD application search-staging-api\) is synced at [0-9a-f]{12}, whose pins \(image:api=sha256:1{64}\) are not the ones being promoted \(image:api=sha256:4{64}\)/,
    );
    argo.set('search-staging-api', { sync: 'OutOfSync', revision: main, health: 'Healthy' });
    await expect(
      promote({ team: 'search', app: 'api', from: 'staging', to: 'prod' }, { gate: true }),
    ).rejects.toThrow(/is OutOfSync and Healthy, not Synced and Healthy/);
    argo.set('search-staging-api', { sync: 'Synced', revision: main, health: 'Healthy' });
    const run = await promote({ team: 'search', app: 'api', from: 'staging', to: 'prod' }, { gate: true });
    const pr = gh.state.issues.get(Number(run.outputs['pull-request']));
    expect(pr?.body).toContain(
      `Argo CD gate:\n- search-staging-api: Synced and Healthy at ${main.slice(0, 12)}`,
    );
    expect(argo.requests.every((r) => r === 'GET /api/v1/applications/search-staging-api')).toBe(true);
  });
});
