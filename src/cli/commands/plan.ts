import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openAmbientSession } from '../../auth/session.ts';
import { type LoadedRegistry, loadRegistry } from '../../config/load.ts';
import { findStack } from '../../discovery/locate.ts';
import { discoverStacks, type Stack } from '../../discovery/stacks.ts';
import { type PlanStackResult, planStack } from '../../engine/plan-stack.ts';
import { changeSummary } from '../../plan/model.ts';
import { evaluatePlanPolicy, planPolicyVerdict } from '../../policy/evaluate.ts';
import type { CliIO } from '../io.ts';

export interface LocalPlanOptions {
  json?: boolean;
  out?: string;
  policy: boolean;
  lockTimeout?: string;
  /** A local sandbox (moto) for S3 and STS; never a real account. */
  endpoint?: string;
}

/** The provider cache of laptop runs: yours (TF_PLUGIN_CACHE_DIR) or idlc's, shared by your runs. */
export function localPluginCache(env: NodeJS.ProcessEnv): string {
  return env['TF_PLUGIN_CACHE_DIR'] || join(env['HOME'] || homedir(), '.cache', 'idlc', 'plugin-cache');
}

/**
 * Plan a stack on a laptop exactly as CI would (same lint, pin, backend injection, policy),
 * with the user's own credentials (never an assumed plan or apply role), without taking the
 * state lock and without storing a bundle: read-only.
 */
export async function localPlan(
  target: string,
  opts: LocalPlanOptions,
  ctx: { root: string; io: CliIO },
): Promise<{ loaded: LoadedRegistry; stack: Stack; result: PlanStackResult }> {
  const loaded = await loadRegistry(ctx.root);
  const stack = findStack(await discoverStacks(loaded), target, { root: loaded.root, cwd: ctx.io.cwd });
  const sandbox = opts.endpoint ? { url: opts.endpoint } : undefined;
  const keep = opts.out ? resolve(ctx.io.cwd, opts.out) : undefined;
  if (keep) await mkdir(join(keep, '..'), { recursive: true });
  const result = await planStack({
    root: loaded.root,
    loaded,
    stack,
    env: ctx.io.env,
    sandbox,
    pluginCacheDir: localPluginCache(ctx.io.env),
    lockTimeout: opts.lockTimeout,
    log: (line) => ctx.io.err(line),
    headSha: '0'.repeat(40),
    runId: 'local',
    storeBundle: false,
    keepPlanFile: keep,
    lock: false,
    evaluatePolicy: opts.policy
      ? async (planJson) =>
          planPolicyVerdict(
            await evaluatePlanPolicy({ root: loaded.root, planJson, stack, registry: loaded.registry }),
          )
      : undefined,
    openSession: () =>
      openAmbientSession({
        stackId: stack.id,
        target: stack.target,
        env: ctx.io.env,
        stsEndpoint: opts.endpoint,
      }),
  });
  return { loaded, stack, result };
}

export function planText(r: PlanStackResult): string {
  const lines = [`${r.stackId} (${r.dir}) as ${r.principal}`];
  lines.push(r.hasChanges ? `  ${changeSummary(r.model.counts)}` : '  no changes');
  for (const res of r.model.resources) lines.push(`  ${res.action.padEnd(8)} ${res.address}`);
  if (r.policy.evaluated)
    lines.push(`  policy: ${r.denied ? 'DENIED' : 'passed'} (${r.policy.summary ?? ''})`);
  else lines.push('  policy: not evaluated');
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  lines.push(`  ${r.timings.totalMs} ms (${r.timings.engineMs} ms in ${r.provenance.engine.name})`);
  return lines.join('\n');
}

export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('Plan a stack as CI would, read-only, with your own credentials (no lock, no bundle)')
    .argument('<stack>', 'stack id (aws/<team>/<env>[/<stack>]) or stack folder')
    .option('--json', 'print the redacted plan model and provenance as JSON')
    .option('--out <planfile>', 'keep the saved plan (for idlc apply --plan-file)')
    .option('--no-policy', 'skip the OPA plan policies')
    .option('--lock-timeout <duration>', 'engine -lock-timeout', '5m')
    .option('--endpoint <url>', 'a local AWS sandbox (moto) for S3 and STS')
    .action(async (target: string, opts: LocalPlanOptions) => {
      const root = program.opts().root ?? io.cwd;
      const { result } = await localPlan(target, opts, { root, io });
      io.out(
        opts.json
          ? JSON.stringify(
              { model: result.model, provenance: result.provenance, policy: result.policy },
              null,
              2,
            )
          : planText(result),
      );
      setExit(result.denied ? 1 : 0);
    });
}
