import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudSession } from '../auth/session.ts';
import type { LoadedRegistry } from '../config/load.ts';
import type { Stack } from '../discovery/stacks.ts';
import { cliConfigFile } from '../toolchain/tools.ts';
import { formatProblem } from '../util/errors.ts';
import {
  assertStackIsolated,
  backendConfigArgs,
  type SandboxEndpoint,
  verifyInitializedBackend,
} from './backend-config.ts';
import {
  type EngineSandbox,
  prepareEngineSandbox,
  type SandboxMode,
  sandboxModeFrom,
} from './process-sandbox.ts';
import type { StackFiles } from './provenance.ts';
import { EngineRunner, type ExecFn, engineEnv, spawnExec, type Timing } from './runner.ts';

/** What every stack run (plan, apply, CLI) shares; all of it injected. */
export interface StackRunContext {
  /** Absolute repository root (the checkout). */
  root: string;
  loaded: LoadedRegistry;
  stack: Stack;
  /** The parent environment (process.env at the edge). */
  env: NodeJS.ProcessEnv;
  /** Sandbox endpoints (moto); absent in production. */
  sandbox?: SandboxEndpoint;
  /** Shared TF_PLUGIN_CACHE_DIR; init is serialised per directory. */
  pluginCacheDir?: string;
  /** Parent folder of the per-run temp folder (RUNNER_TEMP in actions). */
  tempDir?: string;
  lockTimeout?: string;
  /** Process sandbox of the engine (src/engine/process-sandbox.ts); default: IDLC_ENGINE_SANDBOX of `env`, else auto. */
  engineSandbox?: SandboxMode;
  /** Replaces the sandboxed spawner entirely (tests that record or fake engine calls). */
  exec?: ExecFn;
  log?: (line: string) => void;
  /** Which files make up the stack's content (default: detect's module closure, widened). */
  listFiles?: StackFiles;
}

/**
 * The variable every stack declares (`variable "idlc"`), filled from the registry so a stack
 * never hard-codes its account, region or cost tags. Passed as TF_VAR_idlc (and so recorded
 * in the saved plan, which apply then uses as is).
 */
export function idlcVariable(loaded: LoadedRegistry, stack: Stack): Record<string, string> {
  const team = loaded.registry.teams[stack.team];
  return {
    team: stack.team,
    env: stack.env,
    account_id: stack.target.accountId ?? stack.target.project ?? '',
    region: stack.target.region,
    cost_center: team?.cost_center ?? '',
    owner: team?.owners[0] ?? '',
    stack: stack.id,
    ...(stack.target.project ? { project: stack.target.project } : {}),
  };
}

export interface PreparedRun {
  dir: string;
  warnings: string[];
  /** Build the runner once credentials exist. */
  runner(session: CloudSession): EngineRunner;
  backendArgs: string[];
  /** Timings of the version check (made before credentials exist). */
  preTimings: Timing[];
  cleanup(): Promise<void>;
}

/**
 * `init` writes .terraform.lock.hcl into the stack folder when none is committed (or adds
 * hashes to it). That would change the very content the plan provenance hashes, so a later run
 * in the same checkout (a laptop, a self-hosted runner, a job planning several stacks) would
 * see a different stack. Put the file back as it was when the run ends.
 */
async function keepLockFileAsCheckedOut(cwd: string): Promise<() => Promise<void>> {
  const path = join(cwd, '.terraform.lock.hcl');
  const before = await readFile(path).catch(() => undefined);
  return async () => {
    if (before === undefined) await rm(path, { force: true });
    else if (!(await readFile(path).catch(() => Buffer.alloc(0))).equals(before))
      await writeFile(path, before);
  };
}

/**
 * The checks that need no credentials, in the order that fails fastest: isolation lint
 * (a stack naming its own backend location is refused here, before `init`), then the engine
 * version against the registry pin.
 */
export async function prepareStackRun(ctx: StackRunContext): Promise<PreparedRun> {
  const warnings = (await assertStackIsolated(ctx.root, ctx.stack)).map(formatProblem);
  const dir = await mkdtemp(join(ctx.tempDir ?? tmpdir(), `idlc-${ctx.stack.id.replace(/[^\w.-]+/g, '-')}-`));
  const cwd = join(ctx.root, ctx.stack.dir);
  const extra = { TF_VAR_idlc: JSON.stringify(idlcVariable(ctx.loaded, ctx.stack)) };
  let sandbox: EngineSandbox | undefined;
  const make = (session: CloudSession | undefined) =>
    new EngineRunner({
      engine: ctx.stack.engine,
      stackId: ctx.stack.id,
      cwd,
      verifyBackend: () => verifyInitializedBackend(join(dir, 'data'), ctx.stack.target.state, ctx.stack.id),
      env: engineEnv({
        parent: ctx.env,
        credentials: session?.env ?? {},
        isolateCredentials: session?.federated ?? true,
        runDir: dir,
        dataDir: join(dir, 'data'),
        pluginCacheDir: ctx.pluginCacheDir,
        cliConfigFile: cliConfigFile(ctx.env),
        extra,
      }),
      pluginCacheDir: ctx.pluginCacheDir,
      lockTimeout: ctx.lockTimeout,
      exec: ctx.exec ?? sandbox?.exec(spawnExec, { ambient: session?.federated === false }),
      log: ctx.log,
    });
  const restoreLockFile = await keepLockFileAsCheckedOut(cwd);
  const cleanup = async () => {
    await restoreLockFile();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    sandbox = await prepareEngineSandbox({
      mode: ctx.engineSandbox ?? sandboxModeFrom(ctx.env),
      parentEnv: ctx.env,
      root: ctx.root,
      cwd,
      runDir: dir,
      pluginCacheDir: ctx.pluginCacheDir,
    });
    if (sandbox.warning) warnings.push(sandbox.warning);
    const probe = make(undefined);
    await probe.checkVersion();
    return {
      dir,
      warnings,
      runner: (session) => make(session),
      backendArgs: backendConfigArgs(ctx.stack.target.state, ctx.sandbox),
      preTimings: probe.timings,
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
