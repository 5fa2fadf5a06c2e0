import type { Command } from 'commander';
import { loadRegistry } from '../../config/load.ts';
import { discoverStacks } from '../../discovery/stacks.ts';
import { type CliIO, table } from '../io.ts';

export function registerStacks(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('stacks')
    .description('List every stack with the team, env, account, roles and state the registry assigns it')
    .option('--json', 'print JSON (one record per stack)')
    .action(async (opts: { json?: boolean }) => {
      const root = program.opts().root ?? io.cwd;
      const loaded = await loadRegistry(root);
      const stacks = await discoverStacks(loaded);
      if (opts.json) {
        io.out(JSON.stringify(stacks, null, 2));
      } else {
        io.out(
          table(
            ['STACK', 'DIR', 'ACCOUNT', 'REGION', 'PROTECTED', 'STATE'],
            stacks.map((s) => [
              s.id,
              s.dir,
              s.target.accountId ?? s.target.project ?? '',
              s.target.region,
              s.target.protected ? 'yes' : 'no',
              `${s.target.state.backend}://${s.target.state.bucket}/${s.target.state.key}`,
            ]),
          ),
        );
        io.out(`${stacks.length} stacks`);
      }
      setExit(0);
    });
}
