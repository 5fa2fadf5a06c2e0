import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempRepo } from '../../test/support/git-repo.ts';
import { twoWavesOf200 } from '../../test/support/wide-change.ts';
import { runCli } from '../cli/main.ts';
import { loadRegistry } from '../config/load.ts';
import { discoverStacks } from '../discovery/stacks.ts';
import { detect } from './detect.ts';
import { gitIn } from './git.ts';
import { fanOut } from './matrix.ts';

// 400 new stacks in two waves of 200 (aws/search/dev/* run after aws/platform/dev/*)
let repo: TempRepo;
let base: string;
beforeAll(() => {
  ({ repo, base } = twoWavesOf200());
});
afterAll(() => repo.cleanup());

const ids = (jobs: { stacks: { id: string }[] }[]) => jobs.flatMap((j) => j.stacks.map((s) => s.id)).sort();

describe('matrix: never more than GitHub’s 256 jobs', () => {
  it('packs two waves of 200 into 256 plan jobs even when asked for 1,000 jobs', async () => {
    const loaded = await loadRegistry(repo.dir);
    const stacks = await discoverStacks(loaded);
    const head = repo.head();
    const d = await detect(
      loaded,
      stacks,
      gitIn(repo.dir),
      { mode: 'diff', base, head, description: 't' },
      {
        maxJobs: 1_000,
      },
    );
    expect(d.ordered.waves.map((w) => w.length)).toEqual([200, 200]);
    const again = fanOut(
      d.affected.stacks.map((a) => a.stack),
      d.ordered,
      1_000,
    );
    for (const f of [d.fanOut, again]) {
      expect(f.matrix.include).toHaveLength(256);
      expect(ids(f.matrix.include)).toHaveLength(400);
      expect(new Set(ids(f.matrix.include)).size).toBe(400);
      expect(f.waves.map((w) => w.include.length)).toEqual([200, 200]);
    }
  });

  it('the CLI: --max-jobs 256 gives 256 jobs for 400 stacks; 257 is refused', async () => {
    let out = '';
    let err = '';
    const io = {
      out: (s: string) => (out += s),
      err: (s: string) => (err += s),
      cwd: repo.dir,
      env: process.env,
    };
    expect(await runCli(['affected', '--base', base, '--matrix', '--max-jobs', '256'], io)).toBe(0);
    const matrix = JSON.parse(out) as { include: { stacks: { id: string }[] }[] };
    expect(matrix.include).toHaveLength(256);
    expect(ids(matrix.include)).toHaveLength(400);
    expect(await runCli(['affected', '--base', base, '--matrix', '--max-jobs', '257'], io)).toBe(1);
    expect(err).toContain('--max-jobs must be a whole number from 1 to 256, got "257"');
  });
});
