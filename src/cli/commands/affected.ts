import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { loadRegistry } from '../../config/load.ts';
import { detect } from '../../detect/detect.ts';
import { type Range, rangeFromEvent } from '../../detect/event.ts';
import { gitIn, resolveCommit, trackedHclFiles } from '../../detect/git.ts';
import { discoverStacks } from '../../discovery/stacks.ts';
import { warmUpHcl } from '../../hcl/parse.ts';
import { UsageError } from '../../util/errors.ts';
import { type CliIO, table } from '../io.ts';

interface AffectedOptions {
  base?: string;
  head: string;
  json?: boolean;
  matrix?: boolean;
  graph?: boolean;
  maxJobs: string;
  event?: string;
  eventPath?: string;
  timings?: boolean;
}

export function registerAffected(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('affected')
    .description('Which stacks a change touches (files, local modules, registry, triggers), in waves')
    .option('--base <ref>', 'compare from this commit (merge-base is not taken: pass it if you want it)')
    .option('--head <ref>', 'compare to this commit', 'HEAD')
    .option('--event <name>', 'decide the range as CI would for this GitHub event (with --event-path)')
    .option('--event-path <file>', 'GitHub event payload JSON')
    .option('--json', 'print the full detection as JSON')
    .option('--matrix', 'print the strategy.matrix JSON the workflow would get')
    .option('--graph', 'print a mermaid graph of affected stacks and waves')
    .option('--max-jobs <n>', 'matrix jobs before stacks are packed several per job', '200')
    .option('--timings', 'print how long each phase took (stderr)')
    .addHelpText(
      'after',
      '\nExamples:\n  idlc affected --base origin/main\n  idlc affected --base main --head feature --matrix\n  idlc affected --event push --event-path event.json --json',
    )
    .action(async (opts: AffectedOptions) => {
      const root = program.opts().root ?? io.cwd;
      const git = gitIn(root);
      let range: Range;
      if (opts.event) {
        if (!opts.eventPath)
          throw new UsageError('--event needs --event-path', 'pass the event payload JSON file');
        range = await rangeFromEvent(git, opts.event, JSON.parse(await readFile(opts.eventPath, 'utf8')));
      } else {
        if (!opts.base) throw new UsageError('missing --base', 'pass --base <ref>, e.g. --base origin/main');
        const base = await resolveCommit(git, opts.base);
        const head = await resolveCommit(git, opts.head);
        range = { mode: 'diff', base, head, description: `${opts.base}..${opts.head}` };
      }
      const maxJobs = Number(opts.maxJobs);
      if (!Number.isInteger(maxJobs) || maxJobs < 1 || maxJobs > 256) {
        throw new UsageError(`--max-jobs must be a whole number from 1 to 256, got "${opts.maxJobs}"`);
      }
      warmUpHcl();
      const t0 = performance.now();
      const loaded = await loadRegistry(root);
      const t1 = performance.now();
      const tfFiles = await trackedHclFiles(git);
      const stacks = await discoverStacks(loaded, { tfFiles });
      const t2 = performance.now();
      const d = await detect(loaded, stacks, git, range, { maxJobs, tfFiles });
      const t3 = performance.now();
      if (opts.timings) {
        io.err(
          `timings: registry ${(t1 - t0).toFixed(0)} ms, discovery ${(t2 - t1).toFixed(0)} ms (${stacks.length} stacks), detection ${(t3 - t2).toFixed(0)} ms`,
        );
      }
      if (opts.matrix) io.out(JSON.stringify(d.fanOut.matrix));
      else if (opts.graph) io.out(d.graph);
      else if (opts.json) {
        io.out(
          JSON.stringify(
            {
              range: d.range,
              stacks: d.affected.stacks.map((a) => ({
                id: a.stack.id,
                dir: a.stack.dir,
                wave: d.ordered.wave.get(a.stack.id),
                reasons: a.reasons,
              })),
              removed: d.affected.removed,
              manifests: d.affected.manifests,
              policy_changed: d.affected.policyChanged,
              registry_changed: d.affected.registryChanged,
              all_stacks: d.affected.allStacks,
              waves: d.ordered.waves,
              notes: d.affected.notes,
            },
            null,
            2,
          ),
        );
      } else {
        io.out(`${d.range.description}: ${d.affected.files.length} files changed`);
        if (d.affected.stacks.length > 0) {
          io.out(
            table(
              ['WAVE', 'STACK', 'WHY'],
              d.affected.stacks.map((a) => [
                String(d.ordered.wave.get(a.stack.id) ?? 0),
                a.stack.id,
                a.reasons[0] ?? '',
              ]),
            ),
          );
        }
        for (const r of d.affected.removed) io.out(`${r.status}: ${r.id} (${r.dir}) — ${r.action}`);
        for (const m of d.affected.manifests)
          io.out(`manifests: ${m.dir}${m.env === '*' ? ' (all envs)' : ''}: ${m.files.length} files`);
        for (const n of d.affected.notes) io.out(`note: ${n}`);
        io.out(`${d.affected.stacks.length} stacks affected in ${d.ordered.waves.length} wave(s)`);
      }
      setExit(0);
    });
}
