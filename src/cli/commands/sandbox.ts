import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { toolsDir } from '../../toolchain/tools.ts';
import { UsageError } from '../../util/errors.ts';
import type { CliIO } from '../io.ts';

/** The toolkit checkout this CLI runs from (it holds the sandbox bundle and the stand-ins). */
function toolkitRoot(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'sandbox', 'stand-ins')) && existsSync(join(d, 'package.json'))) return d;
  }
  throw new UsageError(
    'idlc sandbox runs from a checkout of the idlc repository (it needs sandbox/stand-ins and the dev dependencies)',
    'git clone the repository, then run scripts/demo',
  );
}

/**
 * `idlc sandbox demo`: the workflow files under act against loopback stand-ins for GitHub and
 * AWS. The sandbox is a bundle of its own (dist/sandbox/sandbox.cjs, built on first use), run in
 * a child process on Node 24 when the tools cache has it: the CLI itself never loads it.
 */
export function registerSandbox(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('sandbox')
    .description(
      'Run the real workflow files with act, offline: a PR plan with its comment, the apply after merge, a promotion (see src/sandbox/README.md)',
    )
    .argument('[command]', 'demo: the whole story in one go', 'demo')
    .option('--out <dir>', 'where the comment, check runs, job summaries and act logs go', 'out')
    .option(
      '--withhold-approval <env>',
      'required reviewers of this GitHub environment do not approve',
      collect,
      [],
    )
    .option('--promote <team/app>', 'the app promoted dev → staging at the end', 'search/api')
    .option('--no-promote', 'skip the promotion')
    .option('--job-env <K=V>', 'more environment for every job', collect, [])
    .option('--keep', 'keep the temporary folders (debugging)')
    .allowExcessArguments(false)
    .action(async (command: string, opts: SandboxCliOptions) => {
      const root = toolkitRoot();
      const bundle = join(root, 'dist', 'sandbox', 'sandbox.cjs');
      if (!existsSync(bundle)) {
        io.err('idlc sandbox: building the sandbox bundle (once, ~3 s)');
        const built = spawnSync(process.execPath, [join(root, 'src', 'sandbox', 'build.mjs')], {
          stdio: 'inherit',
        });
        if (built.status !== 0) {
          throw new UsageError('cannot build the sandbox bundle', 'run npm ci in the repository, then retry');
        }
      }
      const node24 = join(toolsDir(io.env), 'node24', 'bin', 'node');
      const args = [bundle, ...sandboxArgs(command, opts)];
      const child = spawn(existsSync(node24) ? node24 : process.execPath, args, {
        cwd: io.cwd,
        env: io.env,
        stdio: 'inherit',
      });
      setExit(await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1))));
    });
}

export interface SandboxCliOptions {
  out: string;
  withholdApproval: string[];
  promote: string | false;
  jobEnv: string[];
  keep?: boolean;
}

/** The sandbox bundle's command line (src/sandbox/main.ts parses it). */
export function sandboxArgs(command: string, opts: SandboxCliOptions): string[] {
  const args = [command, '--out', opts.out];
  for (const e of opts.withholdApproval) args.push('--withhold-approval', e);
  if (opts.promote === false) args.push('--no-promote');
  else args.push('--promote', opts.promote);
  for (const e of opts.jobEnv) args.push('--job-env', e);
  if (opts.keep) args.push('--keep');
  return args;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
