// actions/gitops-update in apply-results mode, bundled and run as the runner runs it (the gitops
// job of idlc-apply.yml): the `workload` output an apply kept in its result file lands in the
// team's app overlay as one verified commit, with the merge commit and PR as trailers; a failed
// stack's output and a stack without one change nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.ts';
import { TempRepo } from '../support/git-repo.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { commitsSince, fileAt, seedFromGit } from '../support/gitops-seed.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ENV_FILE = 'sdlc/teams/search/dev/rag/infra-outputs.env';
const HEADER = `# Written by idlc from the \`workload\` output of the team's stacks in search/dev after each apply
# (idlc gitops outputs; docs/gitops.md). Do not edit: change the stack's output instead.
`;
const MERGE = 'ab'.repeat(20);

let gh: GitHubDouble;
let repo: TempRepo;
let seeded: string;
let dir: string;

beforeAll(async () => {
  gh = await startGitHubDouble({ owner: 'acme', repo: 'platform', strictTokens: true });
  repo = new TempRepo();
  repo
    .write({
      [ENV_FILE]: HEADER,
      'sdlc/teams/search/dev/rag/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nconfigMapGenerator:\n  - name: rag-infra\n    envs: [infra-outputs.env]\n',
    })
    .commit('sdlc');
  seeded = seedFromGit(gh, repo);
  dir = mkdtempSync(join(tmpdir(), 'idlc-applied-'));
  const result = (name: string, body: Record<string, unknown>) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'apply.json'), JSON.stringify(body));
  };
  const stack = {
    id: 'aws/search/dev',
    team: 'search',
    env: 'dev',
    name: '',
    dir: 'idlc/aws/environments/search/dev',
  };
  result('idlc-apply-a', {
    stack,
    wave: 0,
    status: 'applied',
    pullRequest: 42,
    mergeSha: MERGE,
    links: {},
    workload: { value: { rag: { CORPUS_BUCKET: 'search-dev-docs', TOP_K: 8 } } },
  });
  result('idlc-apply-b', {
    stack: { ...stack, id: 'aws/search/dev/failed', name: 'failed' },
    wave: 0,
    status: 'failed',
    links: {},
    workload: { value: { rag: { SHOULD_NOT: 'land' } } },
  });
});
afterAll(async () => {
  await gh?.close();
  repo?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('gitops-update apply-results: infra outputs → the app overlay after apply', () => {
  it('commits the applied stack’s workload values into infra-outputs.env, nothing of the failed one', async () => {
    const run = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-apply.yml', event: 'push' });
    const token = gh.issueToken({
      kind: 'workflow',
      runId: run.id,
      job: 'gitops',
      permissions: { contents: 'write' },
    });
    const res = await runAction(join(ROOT, 'actions', 'gitops-update'), {
      cwd: dir,
      inputs: { 'apply-results': dir, 'github-token': token },
      event: {
        name: 'push',
        payload: {
          repository: { default_branch: 'main' },
          head_commit: { message: 'Merge pull request #42' },
        },
      },
      env: { GITHUB_API_URL: gh.url, GITHUB_GRAPHQL_URL: gh.graphqlUrl, GITHUB_SHA: MERGE },
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs['changed']).toBe('true');
    const made = commitsSince(gh, seeded);
    expect(made).toHaveLength(1);
    expect(made[0]?.message).toMatch(
      /^chore\(deploy\): search dev infra outputs of aws\/search\/dev \(rag\)/,
    );
    expect(made[0]?.message).toContain(`Source-Commit: ${MERGE}`);
    expect(made[0]?.message).toContain('Source-PR: https://github.com/acme/platform/pull/42');
    const written = fileAt(gh, ENV_FILE) ?? '';
    expect(written.startsWith(HEADER)).toBe(true);
    expect(written).toContain('# stack aws/search/dev');
    expect(written).toContain('CORPUS_BUCKET=search-dev-docs');
    expect(written).toContain('TOP_K=8');
    expect(written).not.toContain('SHOULD_NOT');
  });
});
