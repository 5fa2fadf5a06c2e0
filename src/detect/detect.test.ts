import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempRepo } from '../../test/support/git-repo.ts';
import { REGISTRY_YAML, stackFiles } from '../../test/support/registry-fixture.ts';
import { runCli } from '../cli/main.ts';
import { loadRegistry } from '../config/load.ts';
import { discoverStacks } from '../discovery/stacks.ts';
import { IdlcError } from '../util/errors.ts';
import { type Detection, detect } from './detect.ts';
import { rangeFromEvent } from './event.ts';
import { gitIn } from './git.ts';
import { moduleClosure } from './module-graph.ts';

const E = 'idlc/aws/environments';
const M = 'idlc/aws/modules';
const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

const mod = (name: string, body = '') => ({
  [`${M}/${name}/main.tf`]: `variable "name" {\n  type = string\n}\n${body}`,
  [`${M}/${name}/README.md`]: `# ${name}\n`,
});
const call = (name: string, source: string) =>
  `module "${name}" {\n  source = "${source}"\n  name   = "x"\n}\n`;

/** platform network per env; search/assistant stacks; modules leaf ← mid ← top, shared. */
function baseRepo(): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write({
    'idlc.yaml': REGISTRY_YAML,
    'scripts/tools.versions': 'TOFU_VERSION=1.12.6\n',
    ...mod('leaf', 'output "id" {\n  value = var.name\n}\n'),
    ...mod('mid', call('leaf', '../leaf')),
    ...mod('top', call('mid', '../mid')),
    ...mod('shared'),
    ...mod('unused'),
    [`${M}/leaf/tests/leaf.tftest.hcl`]: 'run "plan" {\n  command = plan\n}\n',
    ...stackFiles(`${E}/platform/dev/network`),
    ...stackFiles(`${E}/platform/prod/network`),
    ...stackFiles(
      `${E}/search/dev`,
      call('top', '../../../modules/top') + call('shared', '../../../modules/shared'),
    ),
    ...stackFiles(`${E}/search/prod`, call('top', '../../../modules/top')),
    ...stackFiles(`${E}/assistant/dev`, call('shared', '../../../modules/shared')),
    [`${E}/search/dev/terraform.tfvars`]: 'size = "small"\n',
    [`${E}/search/dev/.terraform.lock.hcl`]: '# lock\n',
    'sdlc/teams/search/base/api/deployment.yaml': 'kind: Deployment\n',
    'sdlc/teams/search/dev/api/kustomization.yaml': 'resources: [../../base/api]\n',
    'policy/terraform/tags.rego': 'package terraform.tags\n',
  });
  repo.commit('base');
  return repo;
}

async function run(repo: TempRepo, base: string, head = 'HEAD', maxJobs = 200): Promise<Detection> {
  const loaded = await loadRegistry(repo.dir);
  const stacks = await discoverStacks(loaded);
  const git = gitIn(repo.dir);
  const h = repo.git('rev-parse', head).trim();
  return detect(loaded, stacks, git, { mode: 'diff', base, head: h, description: 'test' }, { maxJobs });
}

const ids = (d: Detection) => d.affected.stacks.map((a) => a.stack.id);

describe('affected stacks', () => {
  it('a file inside a stack → that stack, ordered after the platform network of its env', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ [`${E}/search/dev/main.tf`]: `${stackFiles('x')['x/main.tf']}# tweak\n` }).commit('tweak');
    const d = await run(repo, base);
    expect(ids(d)).toEqual(['aws/search/dev']);
    expect(d.affected.stacks[0]?.reasons).toEqual([`changed: ${E}/search/dev/main.tf`]);
    expect(d.ordered.waves).toEqual([['aws/search/dev']]);
    // changed together with its env's platform network, it runs a wave after it; the other
    // env's network is neither pulled in nor ordered against
    const mid = repo.head();
    repo
      .write({
        [`${E}/search/dev/terraform.tfvars`]: 'size = "medium"\n',
        [`${E}/platform/dev/network/main.tf`]: `${stackFiles('x')['x/main.tf']}# cidr\n`,
      })
      .commit('both');
    const both = await run(repo, mid);
    expect(ids(both)).toEqual(['aws/platform/dev/network', 'aws/search/dev']);
    expect(both.affected.stacks.find((a) => a.stack.id === 'aws/search/dev')?.reasons).toEqual([
      `changed: ${E}/search/dev/terraform.tfvars`,
    ]);
    expect(both.ordered.waves).toEqual([['aws/platform/dev/network'], ['aws/search/dev']]);
    expect(both.ordered.edges).toEqual([['aws/search/dev', 'aws/platform/dev/network']]);
    expect(both.fanOut.waves.map((w) => w.include.map((j) => j.id))).toEqual([
      ['aws/platform/dev/network'],
      ['aws/search/dev'],
    ]);
  });

  it('a leaf module change reaches stacks through three levels (leaf ← mid ← top ← stacks)', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ [`${M}/leaf/main.tf`]: 'variable "name" {\n  type = string\n}\n# v2\n' }).commit('leaf');
    const d = await run(repo, base);
    expect(ids(d)).toEqual(['aws/search/dev', 'aws/search/prod']);
    expect(d.affected.stacks[0]?.reasons[0]).toBe(
      `module ${M}/leaf changed → ${M}/mid → ${M}/top (used by module "top" in ${E}/search/dev/main.tf)`,
    );
  });

  it('a module shared by two teams affects both teams, and docs/tests of a module affect nothing', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo
      .write({
        [`${M}/shared/variables.tf`]: 'variable "extra" {\n  type    = string\n  default = ""\n}\n',
        [`${M}/leaf/README.md`]: '# leaf v2\n',
        [`${M}/leaf/tests/leaf.tftest.hcl`]: 'run "apply" {\n  command = apply\n}\n',
      })
      .commit('shared');
    const d = await run(repo, base);
    expect(ids(d)).toEqual(['aws/assistant/dev', 'aws/search/dev']);
  });

  it('tfvars-only and lock-file-only changes count', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ [`${E}/search/dev/terraform.tfvars`]: 'size = "large"\n' }).commit('tfvars');
    expect(ids(await run(repo, base))).toEqual(['aws/search/dev']);
    const mid = repo.head();
    repo.write({ [`${E}/search/dev/.terraform.lock.hcl`]: '# lock v2\n' }).commit('lock');
    expect(ids(await run(repo, mid))).toEqual(['aws/search/dev']);
  });

  it('a deleted stack folder is reported, never silently dropped', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.remove(`${E}/assistant/dev`).commit('delete');
    const d = await run(repo, base);
    expect(ids(d)).toEqual([]);
    expect(d.affected.removed).toEqual([
      expect.objectContaining({ id: 'aws/assistant/dev', dir: `${E}/assistant/dev`, status: 'deleted' }),
    ]);
    expect(d.affected.removed[0]?.action).toContain('plan a destroy');
  });

  it('a renamed stack folder is reported with where it went (state must move)', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.git('mv', `${E}/platform/dev/network`, `${E}/platform/dev/vpc`);
    repo.commit('rename');
    const d = await run(repo, base);
    expect(ids(d)).toEqual(['aws/platform/dev/vpc']);
    expect(d.affected.removed).toEqual([
      expect.objectContaining({
        id: 'aws/platform/dev/network',
        status: 'renamed',
        renamedTo: 'aws/platform/dev/vpc',
      }),
    ]);
  });

  it('sdlc changes → manifests; a team base change → every env of the team', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo
      .write({
        'sdlc/teams/search/dev/api/kustomization.yaml': 'resources: [../../base/api]\nimages: []\n',
        'sdlc/teams/search/base/api/deployment.yaml': 'kind: Deployment\nmetadata: {}\n',
      })
      .commit('sdlc');
    const d = await run(repo, base);
    expect(ids(d)).toEqual([]);
    expect(d.affected.manifests.map((m) => [m.dir, m.env, m.files.length])).toEqual([
      ['sdlc/teams/search', '*', 1],
      ['sdlc/teams/search/dev', 'dev', 1],
    ]);
  });

  it('policy changes flag a policy run (tests + re-evaluation of planned stacks)', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo
      .write({ 'policy/terraform/tags.rego': 'package terraform.tags\n\ndeny contains "x" if false\n' })
      .commit('policy');
    const d = await run(repo, base);
    expect(d.affected.policyChanged).toBe(true);
    expect(d.affected.notes[0]).toContain('policy tests run');
  });

  it('an idlc.yaml change for one team re-plans only that team/env; a shared change re-plans all', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ 'idlc.yaml': REGISTRY_YAML.replace('"300000000001"', '"300000000009"') }).commit('registry');
    expect(ids(await run(repo, base))).toEqual(['aws/assistant/dev']);
    const mid = repo.head();
    repo.write({
      'idlc.yaml': REGISTRY_YAML.replace(
        'key: "{env}/{stack}/terraform.tfstate"',
        'key: "{env}/{stack}.tfstate"',
      ),
    });
    repo.commit('state key');
    const d = await run(repo, mid);
    expect(ids(d)).toHaveLength(5);
    expect(d.affected.stacks[0]?.reasons).toEqual(['idlc.yaml state changed']);
  });

  it('a global trigger re-plans every stack, ordered in waves', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ 'scripts/tools.versions': 'TOFU_VERSION=1.12.7\n' }).commit('bump');
    const d = await run(repo, base);
    expect(d.affected.allStacks).toBe(true);
    expect(d.ordered.waves).toEqual([
      ['aws/platform/dev/network', 'aws/platform/prod/network'],
      ['aws/assistant/dev', 'aws/search/dev', 'aws/search/prod'],
    ]);
    expect(d.graph).toContain('subgraph wave1["wave 1"]');
    const entry = d.fanOut.matrix.include.find((j) => j.id === 'aws/search/prod');
    expect(entry).toMatchObject({
      team: 'search',
      env: 'prod',
      cloud: 'aws',
      engine: 'tofu',
      github_environment: 'search-prod',
      protected: true,
      wave: 1,
      apply_role: 'arn:aws:iam::200000000003:role/idlc-search-prod-apply',
    });
    expect(d.fanOut.waves).toHaveLength(2);
  });
});

describe('histories and events', () => {
  it('pull_request uses merge-base..head: base-branch commits merged meanwhile do not count', async () => {
    const repo = baseRepo();
    const fork = repo.head();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ [`${E}/search/dev/terraform.tfvars`]: 'size = "xl"\n' }).commit('feature');
    const head = repo.head();
    repo.git('checkout', '-q', 'main');
    repo.write({ [`${E}/assistant/dev/terraform.tfvars`]: 'x = 1\n' }).commit('main moved');
    const baseSha = repo.head();
    repo.git('checkout', '-q', 'feature');
    const git = gitIn(repo.dir);
    const range = await rangeFromEvent(git, 'pull_request', {
      pull_request: { base: { sha: baseSha }, head: { sha: head } },
    });
    expect(range).toMatchObject({ mode: 'diff', base: fork, head });
    const loaded = await loadRegistry(repo.dir);
    const d = await detect(loaded, await discoverStacks(loaded), git, range);
    expect(ids(d)).toEqual(['aws/search/dev']);
  });

  it('push of a merge commit and of a squash merge give the same stacks', async () => {
    const repo = baseRepo();
    const before = repo.head();
    repo.git('checkout', '-q', '-b', 'f1');
    repo.write({ [`${M}/shared/main.tf`]: 'variable "name" {\n  type = string\n}\n# a\n' }).commit('a');
    repo
      .write({ [`${E}/platform/prod/network/main.tf`]: `${stackFiles('x')['x/main.tf']}# b\n` })
      .commit('b');
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--no-ff', '-m', 'merge f1', 'f1');
    const merged = repo.head();
    const git = gitIn(repo.dir);
    const pushRange = await rangeFromEvent(git, 'push', { before, after: merged });
    const loaded = await loadRegistry(repo.dir);
    const stacks = await discoverStacks(loaded);
    const viaMerge = ids(await detect(loaded, stacks, git, pushRange));
    repo.git('reset', '-q', '--hard', before);
    repo.git('merge', '-q', '--squash', 'f1');
    repo.commit('squash f1');
    const squashRange = await rangeFromEvent(git, 'push', { before, after: repo.head() });
    const viaSquash = ids(await detect(loaded, stacks, git, squashRange));
    expect(viaMerge).toEqual(['aws/assistant/dev', 'aws/platform/prod/network', 'aws/search/dev']);
    expect(viaSquash).toEqual(viaMerge);
  });

  it('a force-pushed PR compares the new head with the merge base, not the old head', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.git('checkout', '-q', '-b', 'pr');
    repo.write({ [`${E}/search/prod/terraform.tfvars`]: 'a = 1\n' }).commit('first try');
    const oldHead = repo.head();
    repo.git('reset', '-q', '--hard', base);
    repo.write({ [`${E}/assistant/dev/terraform.tfvars`]: 'b = 2\n' }).commit('second try');
    const newHead = repo.head();
    const git = gitIn(repo.dir);
    const pr = await rangeFromEvent(git, 'pull_request', {
      pull_request: { base: { sha: base }, head: { sha: newHead } },
    });
    const loaded = await loadRegistry(repo.dir);
    const stacks = await discoverStacks(loaded);
    expect(ids(await detect(loaded, stacks, git, pr))).toEqual(['aws/assistant/dev']);
    const push = await rangeFromEvent(git, 'push', { before: oldHead, after: newHead, forced: true });
    expect(push.description).toMatch(/^force push/);
    expect(ids(await detect(loaded, stacks, git, push))).toEqual(['aws/assistant/dev', 'aws/search/prod']);
  });

  it('first push of a branch compares with the default branch; unknown refs say so', async () => {
    const repo = baseRepo();
    repo.git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    repo.git('checkout', '-q', '-b', 'new');
    repo.write({ [`${E}/search/dev/terraform.tfvars`]: 'n = 1\n' }).commit('n');
    const git = gitIn(repo.dir);
    const r = await rangeFromEvent(git, 'push', {
      before: '0'.repeat(40),
      after: repo.head(),
      repository: { default_branch: 'main' },
    });
    expect(r).toMatchObject({ mode: 'diff', description: 'new branch since origin/main' });
    await expect(rangeFromEvent(git, 'push', { before: 'f'.repeat(40), after: repo.head() })).rejects.toThrow(
      /previous push commit f{40} is not in this clone[\s\S]*fetch-depth: 0/,
    );
  });

  it('a shallow clone (fetch-depth 1) fetches the missing base from origin', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ [`${E}/search/prod/terraform.tfvars`]: 's = 1\n' }).commit('s');
    const head = repo.head();
    const shallow = new TempRepo('idlc-shallow-');
    repos.push(shallow);
    shallow.git('fetch', '-q', '--depth=1', `file://${repo.dir}`, 'main');
    shallow.git('checkout', '-q', '-B', 'main', 'FETCH_HEAD');
    shallow.git('remote', 'add', 'origin', `file://${repo.dir}`);
    expect(shallow.git('rev-list', '--count', 'HEAD').trim()).toBe('1');
    const git = gitIn(shallow.dir);
    const range = await rangeFromEvent(git, 'pull_request', {
      pull_request: { base: { sha: base }, head: { sha: head } },
    });
    expect(range).toMatchObject({ mode: 'diff', base, head });
    const loaded = await loadRegistry(shallow.dir);
    expect(ids(await detect(loaded, await discoverStacks(loaded), git, range))).toEqual(['aws/search/prod']);
  });

  it('workflow_dispatch with explicit stacks, and schedule slices that cover every stack once', async () => {
    const repo = baseRepo();
    const git = gitIn(repo.dir);
    const loaded = await loadRegistry(repo.dir);
    const stacks = await discoverStacks(loaded);
    const r = await rangeFromEvent(git, 'workflow_dispatch', {
      inputs: { stacks: 'aws/search/*, aws/assistant/dev' },
    });
    expect(ids(await detect(loaded, stacks, git, r))).toEqual([
      'aws/assistant/dev',
      'aws/search/dev',
      'aws/search/prod',
    ]);
    const bad = await rangeFromEvent(git, 'workflow_dispatch', { inputs: { stacks: 'aws/nobody/dev' } });
    await expect(detect(loaded, stacks, git, bad)).rejects.toThrow(/no stack matches "aws\/nobody\/dev"/);
    const seen: string[] = [];
    for (let day = 0; day < 3; day++) {
      const s = await rangeFromEvent(
        git,
        'schedule',
        {},
        { driftSlices: 3, now: new Date(day * 86_400_000) },
      );
      seen.push(...ids(await detect(loaded, stacks, git, s)));
    }
    expect(seen.sort()).toEqual(stacks.map((s) => s.id).sort());
  });
});

describe('scale, ordering and bad input', () => {
  it('a 4,000-file diff across 2,000 stacks packs into ≤ maxJobs balanced matrix jobs', async () => {
    const repo = baseRepo();
    const base = repo.head();
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) {
      const dir = `${E}/search/dev/s${String(i).padStart(4, '0')}`;
      files[`${dir}/main.tf`] = 'terraform {\n  backend "s3" {}\n}\n';
      files[`${dir}/terraform.tfvars`] = `i = ${i}\n`;
    }
    repo.write(files).commit('many');
    const d = await run(repo, base, 'HEAD', 100);
    expect(d.affected.files).toHaveLength(4000);
    expect(ids(d)).toHaveLength(2000);
    const jobs = d.fanOut.matrix.include;
    expect(jobs).toHaveLength(100);
    expect(new Set(jobs.map((j) => j.stacks.length))).toEqual(new Set([20]));
    expect(jobs.flatMap((j) => j.stacks.map((s) => s.id)).sort()).toEqual(ids(d));
    expect(JSON.stringify(d.fanOut.matrix).length).toBeLessThan(1_000_000);
  });

  it('a dependency cycle is an error that names it', async () => {
    const repo = baseRepo();
    repo.write({
      'idlc.yaml': REGISTRY_YAML.replace(
        'dependencies:\n',
        'dependencies:\n  - stacks: "aws/platform/{env}/network"\n    after: ["aws/search/{env}"]\n',
      ),
    });
    repo.commit('cycle');
    const err = await run(repo, repo.git('rev-parse', 'HEAD~1').trim()).catch((e) => e);
    expect(err).toBeInstanceOf(IdlcError);
    expect(err.message).toContain(
      'dependency cycle: aws/platform/dev/network → aws/search/dev → aws/platform/dev/network',
    );
  });

  it('unparseable HCL in a changed file is an error with file:line, never "no changes"', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ [`${M}/leaf/main.tf`]: 'variable "name" {\n  type = \n}\n' }).commit('broken');
    const err = await run(repo, base).catch((e) => e);
    expect(err).toBeInstanceOf(IdlcError);
    expect(err.message).toMatch(new RegExp(`^${M}/leaf/main\\.tf:2:10: invalid HCL`));
  });

  it('module sources outside the repo or remote are noted, not followed; symlinks and spaces work', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({
      [`${M}/with space/main.tf`]: 'variable "v" {\n  type = string\n}\n',
      [`${E}/assistant/prod/main.tf`]: `${call('outside', '../../../../../../../elsewhere')}${call('reg', 'terraform-aws-modules/vpc/aws')}${call('sp', '../../../modules/with space')}`,
      [`${E}/assistant/prod/versions.tf`]: 'terraform {\n  backend "s3" {}\n}\n',
    });
    symlinkSync('../../../modules/shared/main.tf', join(repo.dir, `${E}/assistant/prod/shared_link.tf`));
    repo.commit('odd sources');
    const mid = repo.head();
    const closure = await moduleClosure(repo.dir, `${E}/assistant/prod`);
    expect(closure.modules).toEqual([`${M}/with space`]);
    expect(closure.remote.map((r) => r.note)).toEqual([
      'source points outside the repository: treated as remote',
      'remote source: not followed',
    ]);
    expect(ids(await run(repo, base))).toEqual(['aws/assistant/prod']);
    repo.write({ [`${M}/with space/main.tf`]: 'variable "v" {\n  type = number\n}\n' }).commit('space');
    expect(ids(await run(repo, mid))).toEqual(['aws/assistant/prod']);
  });

  it('the CLI prints the matrix and refuses an unknown base ref with a fix', async () => {
    const repo = baseRepo();
    const base = repo.head();
    repo.write({ [`${E}/search/dev/terraform.tfvars`]: 'q = 1\n' }).commit('q');
    let out = '';
    let err = '';
    const io = {
      out: (s: string) => (out += s),
      err: (s: string) => (err += s),
      cwd: repo.dir,
      env: process.env,
    };
    expect(await runCli(['affected', '--base', base, '--matrix'], io)).toBe(0);
    expect(JSON.parse(out).include.map((j: { id: string }) => j.id)).toEqual(['aws/search/dev']);
    expect(await runCli(['affected', '--base', 'no-such-ref'], io)).toBe(1);
    expect(err).toContain('unknown git ref "no-such-ref"');
  });
});
