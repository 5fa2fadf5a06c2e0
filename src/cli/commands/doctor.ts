import type { Command } from 'commander';
import { type LoadedRegistry, loadRegistry } from '../../config/load.ts';
import { lintStack } from '../../discovery/stack-lint.ts';
import { discoverStacks, type Stack } from '../../discovery/stacks.ts';
import {
  bwrapFix,
  chooseSandbox,
  probeSandbox,
  SANDBOX_ENV,
  sandboxModeFrom,
} from '../../engine/process-sandbox.ts';
import { checkTools } from '../../toolchain/tools.ts';
import { formatProblem, IdlcError, type UsageError } from '../../util/errors.ts';
import { type CliIO, table } from '../io.ts';
import { githubDoctorRows } from './setup-github.ts';

interface Row {
  check: string;
  ok: boolean;
  detail: string;
  fix: string;
}

export interface DoctorOptions {
  tools: boolean;
  /** Also compare the repository's GitHub settings with the registry (needs a token). */
  github?: boolean;
  tokenEnv?: string;
}

/** Run every check; the rows are the report, the exit code is whether any failed. */
export async function doctor(root: string, opts: DoctorOptions, env: NodeJS.ProcessEnv): Promise<Row[]> {
  const rows: Row[] = [];
  let loaded: LoadedRegistry | undefined;
  try {
    loaded = await loadRegistry(root);
    const reg = loaded.registry;
    rows.push({
      check: 'registry idlc.yaml',
      ok: true,
      detail: `${Object.keys(reg.teams).length} teams, envs ${reg.environments.map((e) => e.name).join(' → ')}`,
      fix: '',
    });
  } catch (err) {
    rows.push(failure('registry idlc.yaml', err));
  }
  let stacks: Stack[] = [];
  if (loaded) {
    try {
      stacks = await discoverStacks(loaded);
      rows.push({ check: 'stack layout', ok: true, detail: `${stacks.length} stacks`, fix: '' });
    } catch (err) {
      rows.push(failure('stack layout', err));
    }
    for (const s of stacks) {
      const lint = await lintStack(loaded.root, s);
      if (lint.problems.length > 0) {
        rows.push({
          check: `stack ${s.id}`,
          ok: false,
          detail: lint.problems.map(formatProblem).join('\n'),
          fix: lint.problems[0]?.fix ?? '',
        });
      }
    }
    if (stacks.length > 0 && !rows.some((r) => r.check.startsWith('stack ') && !r.ok)) {
      rows.push({
        check: 'stack backends and providers',
        ok: true,
        detail: 'partial backends only',
        fix: '',
      });
    }
    if (opts.tools) {
      const pinned = loaded.registry.engine;
      const statuses = await checkTools(root, env);
      for (const t of statuses) {
        rows.push({
          check: `tool ${t.name}`,
          ok: t.ok,
          detail: t.ok ? `${t.found}` : t.detail,
          fix: t.ok ? '' : 'scripts/install-tools',
        });
      }
      const tofu = statuses.find((t) => t.name === 'tofu');
      if (pinned.name === 'tofu' && tofu?.pinned && tofu.pinned !== pinned.version) {
        rows.push({
          check: 'engine pin',
          ok: false,
          detail: `idlc.yaml pins tofu ${pinned.version}, scripts/tools.versions has ${tofu.pinned}`,
          fix: 'make engine.version in idlc.yaml and TOFU_VERSION agree',
        });
      }
    }
    if (opts.github) rows.push(...(await githubDoctorRows(loaded.registry, env, opts.tokenEnv)));
  }
  rows.push(await sandboxRow(env));
  return rows;
}

/**
 * Which process sandbox the engine, opa and checkov would run in here, and why. Only a mode
 * that would refuse (required without a sandbox) fails; a laptop without one gets the fix.
 */
export async function sandboxRow(env: NodeJS.ProcessEnv): Promise<Row> {
  const check = 'engine sandbox';
  try {
    const mode = sandboxModeFrom(env);
    const probe = mode === 'off' ? {} : await probeSandbox(env);
    const choice = chooseSandbox(mode, probe);
    return {
      check,
      ok: true,
      detail: `${SANDBOX_ENV}=${mode}: ${choice.kind === 'none' ? `unsandboxed — ${choice.detail}` : choice.detail}`,
      fix: choice.kind === 'none' && mode !== 'off' ? bwrapFix(probe) : '',
    };
  } catch (err) {
    const e = err as UsageError;
    return { check, ok: false, detail: e.message.split('\n  fix: ')[0] ?? e.message, fix: e.fix ?? '' };
  }
}

function failure(check: string, err: unknown): Row {
  if (err instanceof IdlcError) {
    return {
      check,
      ok: false,
      detail: err.problems.map(formatProblem).join('\n'),
      fix: err.problems[0]?.fix ?? '',
    };
  }
  return { check, ok: false, detail: (err as Error).message, fix: '' };
}

export function registerDoctor(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('Check the registry, the stack layout and the pinned tools; print fixes')
    .option('--no-tools', 'skip the tool version checks')
    .option(
      '--github',
      'also check the repository settings setup-github makes (token: GH_TOKEN or --token-env)',
    )
    .option('--token-env <name>', 'environment variable holding the GitHub token')
    .action(async (opts: { tools: boolean; github?: boolean; tokenEnv?: string }) => {
      const root = program.opts().root ?? io.cwd;
      const rows = await doctor(
        root,
        {
          tools: opts.tools,
          github: Boolean(opts.github),
          ...(opts.tokenEnv ? { tokenEnv: opts.tokenEnv } : {}),
        },
        io.env,
      );
      io.out(
        table(
          ['', 'CHECK', 'DETAIL', 'FIX'],
          rows.map((r) => [r.ok ? '✓' : '✗', r.check, (r.detail.split('\n')[0] ?? '').slice(0, 90), r.fix]),
        ),
      );
      const failed = rows.filter((r) => !r.ok);
      for (const r of failed) {
        if (r.detail.includes('\n') || r.detail.length > 90) io.err(`\n✗ ${r.check}\n${r.detail}`);
      }
      io.out(failed.length === 0 ? '\nall checks passed' : `\n${failed.length} check(s) failed`);
      setExit(failed.length === 0 ? 0 : 1);
    });
}
