import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openAmbientSession } from '../../auth/session.ts';
import { loadRegistry } from '../../config/load.ts';
import { findStack } from '../../discovery/locate.ts';
import { discoverStacks, type Stack } from '../../discovery/stacks.ts';
import { applySavedPlan } from '../../engine/apply-stack.ts';
import { UsageError } from '../../util/errors.ts';
import type { CliIO } from '../io.ts';
import { localPlan, localPluginCache, planText } from './plan.ts';

export interface LocalApplyOptions {
  planFile?: string;
  autoApprove?: boolean;
  policy: boolean;
  lockTimeout?: string;
  endpoint?: string;
}

export const inCI = (env: NodeJS.ProcessEnv) => Boolean(env['CI'] || env['GITHUB_ACTIONS']);

/** Nobody applies a protected env from a laptop; the apply role's trust makes it impossible anyway. */
export function assertMayApplyHere(stack: Stack, env: NodeJS.ProcessEnv): void {
  if (stack.target.protected && !inCI(env)) {
    throw new UsageError(
      `stack ${stack.id} is in the protected environment "${stack.env}": it is applied only by CI, ` +
        'after review, from the plan reviewed on the pull request',
      'open a pull request; after merge the apply workflow applies the reviewed plan ' +
        `(GitHub environment ${stack.target.githubEnvironment}, with its required reviewers)`,
    );
  }
}

/**
 * `idlc apply <stack>`: plan, show, and stop unless --auto-approve (then apply that very plan
 * file); or `--plan-file` to apply a plan saved by `idlc plan --out`. Refused outside CI for
 * protected environments.
 */
export async function localApply(
  target: string,
  opts: LocalApplyOptions,
  ctx: { root: string; io: CliIO },
): Promise<number> {
  const { io } = ctx;
  const loaded = await loadRegistry(ctx.root);
  const stack = findStack(await discoverStacks(loaded), target, { root: loaded.root, cwd: io.cwd });
  assertMayApplyHere(stack, io.env);
  const session = () =>
    openAmbientSession({ stackId: stack.id, target: stack.target, env: io.env, stsEndpoint: opts.endpoint });
  const base = {
    root: loaded.root,
    loaded,
    stack,
    env: io.env,
    sandbox: opts.endpoint ? { url: opts.endpoint } : undefined,
    pluginCacheDir: localPluginCache(io.env),
    lockTimeout: opts.lockTimeout,
    log: (line: string) => io.err(line),
    openSession: session,
  };
  let planFile = opts.planFile ? resolve(io.cwd, opts.planFile) : undefined;
  if (!planFile) {
    planFile = join(loaded.root, '.idlc', 'plans', `${stack.id.replace(/\//g, '__')}.tfplan`);
    const { result } = await localPlan(
      stack.id,
      { out: planFile, policy: opts.policy, lockTimeout: opts.lockTimeout, endpoint: opts.endpoint },
      ctx,
    );
    io.out(planText(result));
    if (result.denied)
      throw new UsageError(`stack ${stack.id}: policy denied this plan`, 'fix the findings above');
    if (!result.hasChanges) return 0;
    if (!opts.autoApprove) {
      io.out(`\nnothing applied. To apply exactly this plan: idlc apply ${stack.id} --plan-file ${planFile}`);
      return 0;
    }
  }
  const { timings } = await applySavedPlan({ ...base, planFile });
  io.out(`${stack.id}: applied ${planFile} (${timings.totalMs} ms)`);
  return 0;
}

export function registerApply(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('apply')
    .description('Apply a stack of an unprotected env from a saved plan (protected envs: CI only)')
    .argument('<stack>', 'stack id (aws/<team>/<env>[/<stack>]) or stack folder')
    .option('--plan-file <file>', 'apply this saved plan (from idlc plan --out or a previous idlc apply)')
    .option('--auto-approve', 'plan and apply that plan without stopping to review')
    .option('--no-policy', 'skip the OPA plan policies')
    .option('--lock-timeout <duration>', 'engine -lock-timeout', '5m')
    .option('--endpoint <url>', 'a local AWS sandbox (moto) for S3 and STS')
    .action(async (target: string, opts: LocalApplyOptions) => {
      const root = program.opts().root ?? io.cwd;
      setExit(await localApply(target, opts, { root, io }));
    });
}
