import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { type LoadedRegistry, loadRegistry } from '../../config/load.ts';
import { findStack, StackLocator } from '../../discovery/locate.ts';
import { posixRelative } from '../../discovery/paths.ts';
import { discoverStacks, type Stack } from '../../discovery/stacks.ts';
import { decodePlanBytes } from '../../plan/encoding.ts';
import { type CheckovSummary, runCheckov } from '../../policy/checkov.ts';
import { manifestContext, teamEnvOfPath } from '../../policy/context.ts';
import { evaluateManifestPolicy, evaluatePlanPolicy } from '../../policy/evaluate.ts';
import { countByStatus, formatFinding, type PolicyResult } from '../../policy/findings.ts';
import { loadManifests } from '../../policy/manifests.ts';
import type { PolicyExec } from '../../policy/opa-eval.ts';
import { IdlcError, UsageError } from '../../util/errors.ts';
import type { CliIO } from '../io.ts';

interface PolicyOptions {
  stack?: string;
  json?: boolean;
  approval: string[];
  allowRegistry: string[];
  checkov?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export async function policyCommand(
  target: string,
  opts: PolicyOptions,
  ctx: { root: string; io: CliIO; exec?: PolicyExec; now?: Date },
): Promise<number> {
  const { io } = ctx;
  const abs = resolve(io.cwd, target);
  const info = await stat(abs).catch(() => undefined);
  if (!info) {
    throw new UsageError(`${target}: no such file or folder`, 'pass a plan JSON file or a manifests folder');
  }
  const loaded = await loadRegistry(ctx.root);
  const rel = posixRelative(loaded.root, abs);
  if (info.isDirectory()) return manifests(rel, abs, opts, loaded, ctx);
  return plan(rel, abs, opts, loaded, ctx);
}

async function plan(
  rel: string,
  abs: string,
  opts: PolicyOptions,
  loaded: LoadedRegistry,
  ctx: { root: string; io: CliIO; exec?: PolicyExec; now?: Date },
): Promise<number> {
  const stacks = await discoverStacks(loaded);
  let stack: Stack | undefined;
  if (opts.stack) {
    stack = findStack(stacks, opts.stack, { root: loaded.root, cwd: ctx.io.cwd, option: '--stack' });
  } else {
    stack = new StackLocator(stacks).holding(loaded.root, abs);
    if (!stack) {
      throw new UsageError(
        `cannot tell which stack ${rel} belongs to (it is not inside a stack folder)`,
        'pass --stack <stack id or folder>, e.g. --stack aws/search/prod',
      );
    }
  }
  const text = decodePlanBytes(await readFile(abs), rel);
  const r = await evaluatePlanPolicy({
    root: loaded.root,
    planJson: text,
    stack,
    registry: loaded.registry,
    approvals: opts.approval,
    now: ctx.now,
    exec: ctx.exec,
  });
  const checkov = opts.checkov
    ? await runCheckov({ root: loaded.root, dir: resolve(loaded.root, stack.dir), exec: ctx.exec })
    : undefined;
  return report(ctx.io, { target: rel, stack: stack.id, result: r, checkov }, opts);
}

async function manifests(
  rel: string,
  abs: string,
  opts: PolicyOptions,
  loaded: LoadedRegistry,
  ctx: { root: string; io: CliIO; exec?: PolicyExec; now?: Date },
): Promise<number> {
  if (opts.checkov) throw new UsageError('--checkov scans Terraform stacks, not manifests', 'drop --checkov');
  const { team, env } = teamEnvOfPath(loaded.root, abs, loaded.registry);
  const objects = await loadManifests(loaded.root, abs);
  const r = await evaluateManifestPolicy({
    root: loaded.root,
    manifests: objects,
    context: manifestContext({ registry: loaded.registry, team, env, extraRegistries: opts.allowRegistry }),
    target: rel,
    now: ctx.now,
    exec: ctx.exec,
  });
  return report(ctx.io, { target: rel, stack: rel, result: r, team, env, objects: objects.length }, opts);
}

function report(
  io: CliIO,
  r: {
    target: string;
    stack: string;
    result: PolicyResult;
    checkov?: CheckovSummary;
    team?: string;
    env?: string;
    objects?: number;
  },
  opts: PolicyOptions,
): number {
  const exit = r.result.denied ? POLICY_EXIT.denied : POLICY_EXIT.pass;
  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          target: r.target,
          stack: r.stack,
          ...(r.team ? { team: r.team } : {}),
          ...(r.env ? { env: r.env } : {}),
          ...(r.objects !== undefined ? { objects: r.objects } : {}),
          denied: r.result.denied,
          findings: r.result.findings,
          warnings: r.result.warnings,
          ...(r.checkov ? { checkov: r.checkov } : {}),
        },
        null,
        2,
      ),
    );
    return exit;
  }
  for (const w of r.result.warnings) io.err(`warning: ${w}`);
  for (const f of r.result.findings) io.out(formatFinding(f));
  if (r.checkov) {
    const c = r.checkov;
    io.out(`checkov ${c.dir}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
    for (const f of c.top) io.out(`  ${f.checkId} ${f.resource} (${f.at}): ${f.name}`);
  }
  const n = countByStatus(r.result.findings);
  io.out(
    `${r.stack}: ${n.deny} denied, ${n.waived} waived, ${n.warn} warnings — ${r.result.denied ? 'FAIL' : 'pass'}`,
  );
  return exit;
}

/**
 * Exit status of `idlc policy`: a deny and a run that could not decide are different answers
 * (a CI step or a script must not read "could not evaluate" as "denied", or the other way).
 */
export const POLICY_EXIT = { pass: 0, denied: 1, couldNotEvaluate: 2 } as const;

const EXIT_HELP = `
Exit status:
  0  pass: no finding denies (warnings and waived findings may be listed)
  1  denied: at least one finding denies
  2  could not evaluate: bad arguments, an unreadable or non-UTF-8 plan, no stack for the plan,
     a malformed waiver file, or an error from OPA or the policies`;

export function registerPolicy(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('policy')
    // a usage error of this command is "could not evaluate" too, never 1 (denied)
    .exitOverride((err) => {
      if (err.exitCode === 0) throw err;
      throw new CommanderError(POLICY_EXIT.couldNotEvaluate, err.code, err.message);
    })
    .addHelpText('after', EXIT_HELP)
    .description(
      'Check a plan (tofu show -json output) or a folder of Kubernetes manifests against policy/, with waivers',
    )
    .argument('<target>', 'plan JSON file, or a manifests folder (e.g. sdlc/teams/search/prod)')
    .option(
      '--stack <stack>',
      'stack id or folder the plan belongs to (default: the folder holding the plan)',
    )
    .option('--approval <label>', 'a PR approval such as destroy-approved (repeatable)', collect, [])
    .option('--allow-registry <glob>', 'another image registry glob for manifests (repeatable)', collect, [])
    .option('--checkov', 'also scan the stack folder with checkov')
    .option('--json', 'print findings as JSON')
    .action(async (target: string, opts: PolicyOptions) => {
      const root = resolve(io.cwd, program.opts().root ?? '.');
      try {
        setExit(await policyCommand(target, opts, { root, io }));
      } catch (err) {
        const known = err instanceof IdlcError || err instanceof UsageError;
        io.err(
          `idlc: could not evaluate the policies: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}`,
        );
        setExit(POLICY_EXIT.couldNotEvaluate);
      }
    });
}
