import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { toolPath } from '../toolchain/tools.ts';
import { inheritedBaseEnv } from './child-env.ts';
import {
  EngineError,
  errorSummary,
  isCorruptPlan,
  isStalePlan,
  parseLockInfo,
  stateLockedError,
  stripAnsi,
} from './engine-errors.ts';
import { withPluginCacheLock } from './plugin-cache.ts';

export interface EngineSpec {
  name: 'tofu' | 'terraform';
  version: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the child process. */
  ms: number;
  /** Set when the binary could not be started at all. */
  spawnError?: NodeJS.ErrnoException;
}

export type ExecFn = (
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; onLine?: (line: string) => void },
) => Promise<ExecResult>;

const KEEP = 256 * 1024;

/** Run a child with its own env (never the parent's), capturing output. */
export const spawnExec: ExecFn = (cmd, args, opts) =>
  new Promise((resolve) => {
    const started = performance.now();
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const feed = (which: 'out' | 'err') => {
      let partial = '';
      return (b: Buffer) => {
        const s = b.toString('utf8');
        if (which === 'out') stdout = (stdout + s).slice(-KEEP);
        else stderr = (stderr + s).slice(-KEEP);
        if (!opts.onLine) return;
        const lines = (partial + s).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) opts.onLine(l);
      };
    };
    child.stdout.on('data', feed('out'));
    child.stderr.on('data', feed('err'));
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      resolve({ code: -1, stdout, stderr, ms: performance.now() - started, spawnError: err });
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout,
        stderr: signal ? `${stderr}\nkilled by ${signal}` : stderr,
        ms: performance.now() - started,
      });
    });
  });

/**
 * Credentials a laptop user's own session reads from the environment (`idlc plan` with
 * `federated: false`): profiles, SSO, static keys, gcloud ADC, registry tokens. Allowed only in
 * that mode; a CI run's engine gets the session's credentials and nothing inherited.
 */
const AMBIENT_CREDENTIALS = [/^AWS_/, /^GOOGLE_/, /^CLOUDSDK_/, /^ARM_/, /^AZURE_/, /^TF_TOKEN_/];

export interface EngineEnvOptions {
  /** The parent env (process.env at the edge). */
  parent: NodeJS.ProcessEnv;
  /** Credentials for this run only. */
  credentials: Record<string, string>;
  /** True (CI): no inherited credential reaches the engine, only `credentials`. */
  isolateCredentials: boolean;
  /** The run's private folder: the engine's HOME and TMPDIR are made inside it. */
  runDir: string;
  dataDir: string;
  pluginCacheDir?: string;
  /** The toolkit's own CLI config (the provider mirror). Passed by the caller, never inherited. */
  cliConfigFile?: string;
  /** Extra engine env (TF_VAR_idlc, …). */
  extra?: Record<string, string>;
}

/** Where engineEnv puts the engine's HOME and TMPDIR inside the run folder. */
export const runHome = (runDir: string) => join(runDir, 'home');
export const runTmp = (runDir: string) => join(runDir, 'tmp');

/**
 * The complete env of an engine child, built from an allow-list: the PR's Terraform runs in
 * it, so nothing of the runner may be inherited (GITHUB_* file paths, ACTIONS_* tokens,
 * RUNNER_*, INPUT_*, NODE_OPTIONS, TF_LOG*, TF_CLI_ARGS*, TF_REATTACH_PROVIDERS, another
 * TF_CLI_CONFIG_FILE, the parent's cloud credentials in CI). A plan must also follow from the
 * repository alone, so no TF_VAR_* or TF_WORKSPACE of the parent either.
 */
export function engineEnv(o: EngineEnvOptions): Record<string, string> {
  const env = inheritedBaseEnv(o.parent);
  if (!o.isolateCredentials) {
    for (const [k, v] of Object.entries(o.parent)) {
      if (v !== undefined && AMBIENT_CREDENTIALS.some((re) => re.test(k))) env[k] = v;
    }
  } else if (o.parent['AWS_CA_BUNDLE']) {
    // TLS trust (a corporate proxy's CA), not a credential.
    env['AWS_CA_BUNDLE'] = o.parent['AWS_CA_BUNDLE'];
  }
  Object.assign(env, o.extra ?? {}, o.credentials, {
    PATH: toolPath(o.parent),
    HOME: runHome(o.runDir),
    TMPDIR: runTmp(o.runDir),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_DATA_DIR: o.dataDir,
  });
  if (o.pluginCacheDir) env['TF_PLUGIN_CACHE_DIR'] = o.pluginCacheDir;
  if (o.cliConfigFile) env['TF_CLI_CONFIG_FILE'] = o.cliConfigFile;
  return env;
}

export interface Timing {
  command: string;
  ms: number;
}

export interface RunnerOptions {
  engine: EngineSpec;
  stackId: string;
  /** Absolute stack folder (the engine's working directory). */
  cwd: string;
  env: Record<string, string>;
  pluginCacheDir?: string;
  /** -lock-timeout for commands that take the state lock. */
  lockTimeout?: string;
  exec?: ExecFn;
  /** Engine output lines, for the job log. */
  log?: (line: string) => void;
  /** After a successful init: check the backend the engine recorded (see backend-config.ts). */
  verifyBackend?: () => Promise<void>;
}

/** One stack's engine commands, with timings for the overhead report. */
export class EngineRunner {
  readonly timings: Timing[] = [];
  private readonly exec: ExecFn;

  constructor(private readonly o: RunnerOptions) {
    this.exec = o.exec ?? spawnExec;
  }

  private get bin() {
    return this.o.engine.name;
  }

  private async run(args: string[], opts: { log?: boolean } = {}): Promise<ExecResult> {
    const res = await this.exec(this.bin, args, {
      cwd: this.o.cwd,
      env: this.o.env,
      onLine: opts.log === false ? undefined : this.o.log,
    });
    this.timings.push({ command: args[0] ?? '', ms: res.ms });
    if (res.spawnError) {
      const e = res.spawnError;
      throw new EngineError(
        'missing',
        e.code === 'ENOENT'
          ? `stack ${this.o.stackId}: the engine "${this.bin}" is not installed (not found on PATH)`
          : `stack ${this.o.stackId}: cannot start "${this.bin}": ${e.message}`,
        `install ${this.bin} ${this.o.engine.version} (scripts/install-tools, or a setup step in the workflow)`,
      );
    }
    return res;
  }

  private fail(kind: 'init' | 'plan' | 'show' | 'apply', res: ExecResult): never {
    const output = stripAnsi(`${res.stderr}\n${res.stdout.slice(-4000)}`);
    const lock = parseLockInfo(output);
    if (lock) throw stateLockedError(this.bin, this.o.stackId, lock, output);
    throw new EngineError(
      kind,
      `stack ${this.o.stackId}: ${this.bin} ${kind} failed (exit ${res.code}):\n${errorSummary(output)}`,
      kind === 'init'
        ? 'check the backend settings in idlc.yaml, the provider versions and the lock file'
        : 'fix the error above and push again',
      output,
    );
  }

  /** `version -json` must equal the registry pin exactly. */
  async checkVersion(): Promise<string> {
    const res = await this.run(['version', '-json'], { log: false });
    let found: string | undefined;
    try {
      found = (JSON.parse(res.stdout) as { terraform_version?: string }).terraform_version;
    } catch {
      found = /v?(\d+\.\d+\.\d+)/.exec(res.stdout)?.[1];
    }
    if (res.code !== 0 || !found) {
      throw new EngineError(
        'version',
        `stack ${this.o.stackId}: could not read the version of "${this.bin}" (exit ${res.code}): ${errorSummary(res.stderr || res.stdout, 300)}`,
        `install ${this.bin} ${this.o.engine.version}`,
      );
    }
    if (found !== this.o.engine.version) {
      throw new EngineError(
        'version',
        `stack ${this.o.stackId}: ${this.bin} ${found} is installed but idlc.yaml pins ${this.bin} ${this.o.engine.version}`,
        `install ${this.bin} ${this.o.engine.version} (scripts/install-tools), or change engine.version in idlc.yaml in its own PR`,
      );
    }
    return found;
  }

  async init(backendArgs: string[]): Promise<void> {
    const args = ['init', '-input=false', '-no-color', ...backendArgs];
    const go = async () => {
      const res = await this.run(args);
      if (res.code !== 0) this.fail('init', res);
      await this.o.verifyBackend?.();
    };
    if (this.o.pluginCacheDir) {
      await mkdir(this.o.pluginCacheDir, { recursive: true });
      await withPluginCacheLock(this.o.pluginCacheDir, go, {
        onWait: (h) => this.o.log?.(`waiting for the provider cache (init of pid ${h?.pid ?? '?'} holds it)`),
      });
    } else {
      await go();
    }
  }

  /** Returns whether the plan has changes (-detailed-exitcode: 0 none, 2 changes). */
  async plan(outFile: string, opts: { lock?: boolean; refreshOnly?: boolean } = {}): Promise<boolean> {
    const args = [
      'plan',
      '-input=false',
      '-no-color',
      `-out=${outFile}`,
      '-detailed-exitcode',
      `-lock-timeout=${this.o.lockTimeout ?? '5m'}`,
    ];
    if (opts.lock === false) args.push('-lock=false');
    if (opts.refreshOnly) args.push('-refresh-only');
    const res = await this.run(args);
    if (res.code === 0) return false;
    if (res.code === 2) return true;
    this.fail('plan', res);
  }

  /** `show -json <planfile>`: the machine-readable plan (raw text and parsed). */
  async show(planFile: string): Promise<{ text: string; json: unknown }> {
    const res = await this.run(['show', '-json', '-no-color', planFile], { log: false });
    if (res.code !== 0) {
      const output = stripAnsi(res.stderr);
      if (isCorruptPlan(output)) throw corruptPlan(this.o.stackId, output);
      this.fail('show', res);
    }
    try {
      return { text: res.stdout, json: JSON.parse(res.stdout) };
    } catch {
      throw corruptPlan(this.o.stackId, res.stdout.slice(0, 500));
    }
  }

  /** `output -json`: the root module's outputs after apply (sensitive ones flagged). */
  async outputs(): Promise<Record<string, { value: unknown; type?: unknown; sensitive?: boolean }>> {
    const res = await this.run(['output', '-json', '-no-color'], { log: false });
    if (res.code !== 0) this.fail('show', res);
    try {
      return JSON.parse(res.stdout || '{}') as Record<string, { value: unknown; sensitive?: boolean }>;
    } catch {
      throw new EngineError(
        'show',
        `stack ${this.o.stackId}: ${this.bin} output -json printed no JSON`,
        'report this',
      );
    }
  }

  /** Apply exactly the saved plan; never -auto-approve on a fresh plan. */
  async apply(planFile: string): Promise<void> {
    const res = await this.run([
      'apply',
      '-input=false',
      '-no-color',
      `-lock-timeout=${this.o.lockTimeout ?? '5m'}`,
      planFile,
    ]);
    if (res.code === 0) return;
    const output = stripAnsi(`${res.stderr}\n${res.stdout.slice(-4000)}`);
    if (isStalePlan(output)) {
      throw new EngineError(
        'stale-plan',
        `stack ${this.o.stackId}: ${this.bin} refused the saved plan: "Saved plan is stale" (the state changed after the plan was made)`,
        'nothing was applied. Re-run the plan (push a commit or re-run the PR plan job), review it, and merge again',
        output,
      );
    }
    if (isCorruptPlan(output)) throw corruptPlan(this.o.stackId, output);
    this.fail('apply', res);
  }

  /** Child wall time summed: what the engine itself cost. */
  engineMs(): number {
    return this.timings.reduce((a, t) => a + t.ms, 0);
  }
}

function corruptPlan(stackId: string, output: string): EngineError {
  return new EngineError(
    'corrupt-plan',
    `stack ${stackId}: the saved plan file cannot be read (corrupted or not a plan file):\n${errorSummary(output, 600)}`,
    'nothing was applied. Re-run the plan to produce a new bundle',
    output,
  );
}
