/**
 * The edge every action's main.ts shares: reading inputs (strictly), the runner's services
 * (ID token, masking, groups), one failure handler and the job summary. The only toolkit
 * module besides main.ts files that touches @actions/core (the provider cache is in
 * provider-cache.ts, so that only plan and apply bundle @actions/cache).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { idTokenAvailable } from '../auth/id-token.ts';
import type { SandboxEndpoint } from '../engine/backend-config.ts';
import type { CacheService, StackJobInput } from '../engine/run-stacks.ts';
import { escapeTableCell } from '../report/escape.ts';
import { formatProblem, IdlcError, UsageError } from '../util/errors.ts';

export type Env = NodeJS.ProcessEnv;

/** `true` or `false` (any case), the default when empty; anything else is an error naming the input. */
export function booleanInput(name: string, dflt: boolean): boolean {
  const raw = core.getInput(name).trim();
  if (raw === '') return dflt;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  throw new UsageError(`input ${name}: "${raw}" is not true or false`, `set ${name}: true or ${name}: false`);
}

/** The event payload (GITHUB_EVENT_PATH); empty outside a workflow. */
export function readEvent(env: Env): Record<string, unknown> {
  const path = env['GITHUB_EVENT_PATH'];
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function repository(env: Env): { owner: string; repo: string } {
  const [owner, repo] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (!owner || !repo) {
    throw new UsageError('GITHUB_REPOSITORY is not set', 'run this action in a GitHub workflow');
  }
  return { owner, repo };
}

export function runUrl(env: Env): string | undefined {
  if (!env['GITHUB_RUN_ID'] || !env['GITHUB_REPOSITORY']) return undefined;
  return `${env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${env['GITHUB_REPOSITORY']}/actions/runs/${env['GITHUB_RUN_ID']}`;
}

/**
 * A local stand-in for the cloud APIs (moto): the `sandbox-endpoint` input, else the
 * IDLC_SANDBOX_ENDPOINT variable of the job (set only by the built-in sandbox and tests; a job's
 * environment comes from default-branch workflow files). Never set in production.
 */
export function sandboxEndpoint(env: Env): SandboxEndpoint | undefined {
  const url = core.getInput('sandbox-endpoint') || env['IDLC_SANDBOX_ENDPOINT'] || '';
  if (!url) return undefined;
  const sts = core.getInput('sandbox-sts-endpoint') || env['IDLC_SANDBOX_STS_ENDPOINT'] || '';
  return { url, ...(sts ? { sts } : {}) };
}

/** The inputs the plan and apply actions share. */
export function stackJobInput(
  env: Env,
  opts: { cache: CacheService | undefined },
): StackJobInput & { tempDir: string } {
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
  const runnerTemp = env['RUNNER_TEMP'] || tmpdir();
  const root = resolve(workspace, core.getInput('root') || '.');
  return {
    root,
    trustedRoot: resolve(workspace, core.getInput('trusted-root') || core.getInput('root') || '.'),
    stack: core.getInput('stack', { required: true }),
    resultDir: resolve(workspace, core.getInput('result-dir') || join(runnerTemp, 'idlc-results')),
    pluginCacheDir: join(runnerTemp, 'idlc-plugin-cache'),
    tempDir: runnerTemp,
    warn: (message) => core.warning(message),
    group: (name, fn) => core.group(name, fn),
    cache: opts.cache,
  };
}

/** The runner's services for credentials and logs. */
export function runnerServices(env: Env) {
  return {
    idToken: idTokenAvailable(env) ? (audience: string) => core.getIDToken(audience) : undefined,
    mask: (secret: string) => core.setSecret(secret),
    log: (line: string) => core.info(line),
    warn: (message: string) => core.warning(message),
  };
}

/** A job summary table; every cell escaped (plan content and errors reach it). */
export async function summaryTable(
  env: Env,
  heading: string,
  header: string[],
  rows: string[][],
): Promise<void> {
  if (!env['GITHUB_STEP_SUMMARY']) return;
  await core.summary
    .addHeading(escapeTableCell(heading), 3)
    .addTable([
      header.map((h) => ({ data: escapeTableCell(h), header: true })),
      ...rows.map((r) => r.map((c) => escapeTableCell(c))),
    ])
    .write();
}

/** A job summary already rendered as markdown by code that escapes what it quotes. */
export async function summaryMarkdown(env: Env, markdown: string): Promise<void> {
  if (!env['GITHUB_STEP_SUMMARY']) return;
  await core.summary.addRaw(markdown, true).write();
}

/**
 * Run an action's main: problems become annotations on their file and line, the step fails
 * once with the message, and the process exits as soon as output is flushed (the wasm HCL
 * parser keeps timers alive). `permissions`: what the token needs, added to a GitHub 403/404.
 */
export function runAction(main: () => Promise<void>, opts: { permissions?: string } = {}): void {
  main()
    .catch((err: unknown) => {
      if (err instanceof IdlcError) {
        for (const p of err.problems) {
          core.error(formatProblem(p), { file: p.file, startLine: p.line, startColumn: p.column });
        }
      }
      const status = (err as { status?: number } | undefined)?.status;
      const hint =
        opts.permissions && (status === 403 || status === 404)
          ? ` (the token needs ${opts.permissions})`
          : '';
      core.setFailed(`${err instanceof Error ? err.message : String(err)}${hint}`);
    })
    .finally(() => process.stdout.write('', () => process.exit()));
}
