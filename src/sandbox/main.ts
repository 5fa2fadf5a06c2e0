/**
 * The sandbox's command line (bin.ts runs it from the bundle dist/sandbox/sandbox.cjs, which only
 * `idlc sandbox` loads, so the CLI bundle stays small for everyone else).
 */
import { resolve } from 'node:path';
import { runDemo } from './demo.ts';
import { repoRoot } from './sandbox.ts';

export interface SandboxArgs {
  command: string;
  out: string;
  withhold: string[];
  keep: boolean;
  jobEnv: Record<string, string>;
  promote?: { team: string; app: string };
}

export function parseArgs(argv: string[]): SandboxArgs {
  const args: SandboxArgs = { command: argv[0] ?? 'demo', out: 'out', withhold: [], keep: false, jobEnv: {} };
  let promote = 'search/api';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--out') args.out = next();
    else if (a === '--withhold-approval') args.withhold.push(next());
    else if (a === '--keep') args.keep = true;
    else if (a === '--job-env') {
      const [k = '', ...v] = next().split('=');
      args.jobEnv[k] = v.join('=');
    } else if (a === '--promote') promote = next();
    else if (a === '--no-promote') promote = '';
    else throw new Error(`unknown option ${a}`);
  }
  if (promote) {
    const [team = '', app = ''] = promote.split('/');
    args.promote = { team, app };
  }
  return args;
}

export async function main(argv: string[], root = repoRoot()): Promise<number> {
  const args = parseArgs(argv);
  if (args.command !== 'demo') {
    process.stderr.write(`idlc sandbox: unknown command ${args.command} (try: demo)\n`);
    return 2;
  }
  const result = await runDemo({
    root,
    out: resolve(args.out),
    withholdApproval: args.withhold,
    keep: args.keep,
    jobEnv: args.jobEnv,
    ...(args.promote ? { promote: args.promote } : {}),
  });
  return result.ok ? 0 : 1;
}
