import { Command, CommanderError } from 'commander';
import { IdlcError, UsageError } from '../util/errors.ts';
import { registerAffected } from './commands/affected.ts';
import { registerApply } from './commands/apply.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerGitops } from './commands/gitops.ts';
import { registerManifests } from './commands/manifests.ts';
import { registerNewApp } from './commands/new-app.ts';
import { registerNewTeam } from './commands/new-team.ts';
import { registerPlan } from './commands/plan.ts';
import { registerPolicy } from './commands/policy.ts';
import { registerPromote } from './commands/promote.ts';
import { registerReport } from './commands/report.ts';
import { registerSandbox } from './commands/sandbox.ts';
import { registerSetupGithub } from './commands/setup-github.ts';
import { registerStacks } from './commands/stacks.ts';
import { type CliIO, processIO } from './io.ts';

export type Register = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

/** Subcommands, one file each. New capabilities add a line here. */
const COMMANDS: Register[] = [
  registerDoctor,
  registerStacks,
  registerAffected,
  registerPolicy,
  registerPlan,
  registerApply,
  registerReport,
  registerNewTeam,
  registerManifests,
  registerNewApp,
  registerGitops,
  registerPromote,
  registerSetupGithub,
  registerSandbox,
];

export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exit = 0;
  const program = new Command('idlc')
    .description('GitOps toolkit for LLM platforms: the same core the GitHub Actions run, on your machine.')
    .option('--root <dir>', 'repository root (default: current folder)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run idlc --help for usage)');
  for (const register of COMMANDS) register(program, io, (code) => (exit = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof IdlcError || err instanceof UsageError) {
      io.err(`idlc: ${err.message}`);
      return 1;
    }
    io.err(`idlc: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return 2;
  }
}
