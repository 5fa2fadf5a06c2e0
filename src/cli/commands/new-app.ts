import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadRegistry } from '../../config/load.ts';
import { newAppFiles, TEMPLATES } from '../../sdlc/new-app.ts';
import type { CliIO } from '../io.ts';

export function registerNewApp(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('new-app <team> <app>')
    .description(
      'Scaffold a team app from a workload template: base + one pinned overlay per env (never overwrites)',
    )
    .requiredOption('--template <name>', `one of ${TEMPLATES.join(', ')}`)
    .action(async (team: string, app: string, opts: { template: string }) => {
      const root = program.opts().root ?? io.cwd;
      const { registry } = await loadRegistry(root);
      const files = newAppFiles(registry, team, app, opts.template);
      let created = 0;
      for (const [rel, text] of Object.entries(files)) {
        const abs = join(root, rel);
        if ((await readFile(abs, 'utf8').catch(() => undefined)) !== undefined) {
          io.out(`exists   ${rel}`);
          continue;
        }
        await mkdir(dirname(abs), { recursive: true });
        await writeFile(abs, text);
        io.out(`created  ${rel}`);
        created++;
      }
      io.out(`${created} created. Next: push the image to the team ECR, set its tag per env, open a PR.`);
      setExit(0);
    });
}
