import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sandboxToolCommand } from '../engine/process-sandbox.ts';
import { UsageError } from '../util/errors.ts';

/** What a child process returned; `notFound` when the binary could not be started. */
export interface ExecOutput {
  code: number;
  stdout: string;
  stderr: string;
  notFound?: boolean;
}

/** Runs a tool. Injected so callers and tests choose how (tests pass the real one). */
export type PolicyExec = (cmd: string, args: string[], opts: { cwd?: string }) => Promise<ExecOutput>;

/**
 * The default exec: the pinned tools cache first on PATH, inside the engine's process sandbox
 * (src/engine/process-sandbox.ts) with an allow-listed env, because opa and checkov read what a
 * pull request wrote (its plan JSON, its Terraform). IDLC_ENGINE_SANDBOX applies as for the engine.
 */
export const toolExec: PolicyExec = async (cmd, args, opts) => {
  const cwd = opts.cwd ?? process.cwd();
  const scratch = await mkdtemp(join(tmpdir(), 'idlc-tool-'));
  try {
    const wrapped = await sandboxToolCommand(cmd, args, {
      cwd,
      parentEnv: process.env,
      scratch,
      extraEnv: { CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true' },
    });
    if (!wrapped) return { code: -1, stdout: '', stderr: `${cmd}: not found on PATH`, notFound: true };
    return await new Promise<ExecOutput>((resolve) => {
      execFile(
        wrapped.cmd,
        wrapped.args,
        { cwd, env: wrapped.env, maxBuffer: 512 * 1024 * 1024, timeout: 10 * 60_000 },
        (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
          if (e && e.code === 'ENOENT') {
            resolve({ code: -1, stdout: '', stderr: e.message, notFound: true });
            return;
          }
          const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
};

/** A rule result as every idlc policy package returns it. */
export interface RawFinding {
  rule: string;
  resource: string;
  message: string;
}

export interface OpaResult {
  deny: RawFinding[];
  warn: RawFinding[];
  /** Concern packages the entrypoint found (empty: the policy set holds no rules). */
  loaded: string[];
  /** Set when the entrypoint itself is not defined (no policy files loaded). */
  undefinedEntrypoint: boolean;
  /** Number of .rego files (tests excluded) under the policy folder. */
  regoFiles: number;
}

/** Files that are never policy: tests and their fixtures. */
const IGNORED = ['testdata', '*_test.rego'];

async function countRego(dir: string): Promise<number> {
  let n = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.isDirectory() && e.name !== 'testdata') n += await countRego(join(dir, e.name));
    else if (e.isFile() && e.name.endsWith('.rego') && !e.name.endsWith('_test.rego')) n++;
  }
  return n;
}

/**
 * Evaluate `data.<pkg>.main` (deny, warn, loaded) with the real `opa eval` over one policy
 * folder. Never returns a silent pass: a Rego error fails with OPA's own message, a missing
 * `opa` says how to install it, and an empty policy set is reported in `loaded`/`regoFiles`.
 */
export async function evalPolicy(opts: {
  exec: PolicyExec;
  /** Folder holding the policy packages, e.g. <root>/policy/terraform. */
  policyDir: string;
  /** Package holding deny/warn/loaded, e.g. "terraform.main". */
  entrypoint: string;
  input: unknown;
  cwd?: string;
}): Promise<OpaResult> {
  const regoFiles = await countRego(opts.policyDir);
  const work = await mkdtemp(join(tmpdir(), 'idlc-opa-'));
  try {
    const inputFile = join(work, 'input.json');
    await writeFile(inputFile, JSON.stringify(opts.input));
    const ref = `data.${opts.entrypoint}`;
    const query = `{"deny": ${ref}.deny, "warn": ${ref}.warn, "loaded": ${ref}.loaded}`;
    const args = ['eval', '--format', 'json', '--data', opts.policyDir, '--input', inputFile];
    for (const pattern of IGNORED) args.push('--ignore', pattern);
    args.push(query);
    const out = await opts.exec('opa', args, { cwd: opts.cwd });
    if (out.notFound) {
      throw new UsageError(
        'opa is not installed (or not on PATH), so policies cannot be evaluated',
        'run scripts/install-tools, then source ~/.cache/idlc/tools/env.sh',
      );
    }
    let parsed: { result?: { expressions?: { value?: unknown }[] }[]; errors?: unknown[] } | undefined;
    try {
      parsed = JSON.parse(out.stdout);
    } catch {
      parsed = undefined;
    }
    if (out.code !== 0 || !parsed || parsed.errors) {
      const where = relative(opts.cwd ?? process.cwd(), opts.policyDir) || opts.policyDir;
      throw new UsageError(
        `opa eval failed on ${where}:\n${opaMessage(out, parsed)}`,
        'fix the Rego above (opa check --strict policy/ shows the same errors), then re-run',
      );
    }
    const value = parsed.result?.[0]?.expressions?.[0]?.value as
      | { deny?: RawFinding[]; warn?: RawFinding[]; loaded?: string[] }
      | undefined;
    if (!value) return { deny: [], warn: [], loaded: [], undefinedEntrypoint: true, regoFiles };
    return {
      deny: value.deny ?? [],
      warn: value.warn ?? [],
      loaded: value.loaded ?? [],
      undefinedEntrypoint: false,
      regoFiles,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** OPA's own error text: the JSON errors when it printed them, else stderr. */
function opaMessage(out: ExecOutput, parsed: { errors?: unknown[] } | undefined): string {
  const errors = parsed?.errors as
    | { message?: string; code?: string; location?: { file?: string; row?: number } }[]
    | undefined;
  if (errors && errors.length > 0) {
    return errors
      .map((e) => {
        const where = e.location?.file ? `${e.location.file}:${e.location.row ?? 0}: ` : '';
        return `  ${where}${e.code ? `${e.code}: ` : ''}${e.message ?? JSON.stringify(e)}`;
      })
      .join('\n');
  }
  return (out.stderr.trim() || out.stdout.trim() || `opa exited with code ${out.code}`)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** Warnings for a policy set that would otherwise pass silently. */
export function emptinessWarnings(
  result: OpaResult,
  policyDir: string,
  expected: readonly string[],
): string[] {
  if (result.regoFiles === 0 || result.undefinedEntrypoint) {
    return [
      `no policies found in ${policyDir} (${result.regoFiles} .rego files): nothing was checked, which is not a pass`,
    ];
  }
  if (result.loaded.length === 0) {
    return [`the policy set in ${policyDir} holds no rules: nothing was checked, which is not a pass`];
  }
  const missing = expected.filter((p) => !result.loaded.includes(p));
  return missing.length > 0 ? [`policy packages not loaded from ${policyDir}: ${missing.join(', ')}`] : [];
}
