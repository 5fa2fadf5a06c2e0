import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction, webhookExample } from '../support/action-runner.ts';
import { TempRepo } from '../support/git-repo.ts';
import { REGISTRY_YAML, stackFiles } from '../support/registry-fixture.ts';
import { twoWavesOf200 } from '../support/wide-change.ts';

const actionDir = join(import.meta.dirname, '..', '..', 'actions', 'detect');
const E = 'idlc/aws/environments';
const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

describe('actions/detect, bundled, run as the runner runs it', () => {
  it('turns a real pull_request payload into matrix outputs', async () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.write({
      'idlc.yaml': REGISTRY_YAML,
      ...stackFiles(`${E}/platform/dev/network`),
      ...stackFiles(`${E}/search/dev`),
      ...stackFiles(`${E}/search/prod`),
    });
    const base = repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({
      [`${E}/search/prod/terraform.tfvars`]: 'x = 1\n',
      [`${E}/platform/dev/network/terraform.tfvars`]: 'y = 2\n',
    });
    const head = repo.commit('change');
    const payload = webhookExample('pull_request', 'synchronize') as {
      pull_request: { base: { sha: string }; head: { sha: string } };
    };
    payload.pull_request.base.sha = base;
    payload.pull_request.head.sha = head;
    const run = await runAction(actionDir, {
      cwd: repo.dir,
      inputs: { root: repo.dir, 'max-jobs': '200' },
      event: { name: 'pull_request', payload },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['has-changes']).toBe('true');
    const matrix = JSON.parse(run.outputs['matrix'] as string);
    expect(matrix.include.map((j: { id: string; wave: number }) => [j.id, j.wave])).toEqual([
      ['aws/platform/dev/network', 0],
      ['aws/search/prod', 0],
    ]);
    expect(JSON.parse(run.outputs['waves'] as string)).toHaveLength(1);
    expect(run.outputs['graph']).toMatch(/^graph LR/);
    expect(run.summary).toContain('<tr><td>0</td><td>aws/search/prod</td>');
    expect(run.env).toBe('');
  });

  it('clamps the matrix to GitHub’s 256 jobs: two waves of 200 stacks with max-jobs 1000', async () => {
    const { repo, base } = twoWavesOf200();
    repos.push(repo);
    const run = await runAction(actionDir, {
      cwd: repo.dir,
      inputs: { root: repo.dir, 'max-jobs': '1000', base },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "::warning::max-jobs 1000 is above GitHub's limit of 256 jobs per matrix; using 256 (stacks beyond that are packed into batches)",
    );
    const matrix = JSON.parse(run.outputs['matrix'] as string) as { include: { stacks: { id: string }[] }[] };
    expect(matrix.include).toHaveLength(256);
    const planned = matrix.include.flatMap((j) => j.stacks.map((s) => s.id));
    expect(new Set(planned).size).toBe(400);
    expect(planned).toHaveLength(400);
    const waves = JSON.parse(run.outputs['waves'] as string) as { include: unknown[] }[];
    expect(waves.map((w) => w.include.length)).toEqual([200, 200]);
  });

  it('refuses a max-jobs that is not a whole number, with the fix', async () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.write({ 'idlc.yaml': REGISTRY_YAML, ...stackFiles(`${E}/search/dev`) });
    repo.commit('one stack');
    const run = await runAction(actionDir, {
      cwd: repo.dir,
      inputs: { root: repo.dir, stacks: 'aws/search/dev', 'max-jobs': 'lots' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('max-jobs must be a whole number from 1 to 256, got "lots"');
  });

  it('fails with the file, line and fix when idlc.yaml is broken', async () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.write({
      'idlc.yaml': REGISTRY_YAML.replace('"200000000001"', '"1"'),
      ...stackFiles(`${E}/search/dev`),
    });
    repo.commit('broken');
    const run = await runAction(actionDir, {
      cwd: repo.dir,
      inputs: { root: repo.dir, stacks: 'aws/search/dev' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error file=idlc\.yaml,line=\d+,col=\d+::idlc\.yaml:\d+:\d+: teams\.search\.envs\.dev\.aws\.account_id/,
    );
  });
});
