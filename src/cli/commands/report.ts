import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { type LoadedRegistry, loadRegistry } from '../../config/load.ts';
import { findStack, StackLocator } from '../../discovery/locate.ts';
import { discoverStacks, type Stack } from '../../discovery/stacks.ts';
import { decodePlanBytes } from '../../plan/encoding.ts';
import { buildPlanModel } from '../../plan/model.ts';
import { evaluatePlanPolicy } from '../../policy/evaluate.ts';
import { bytes, COMMENT_BUDGET, chars, SUMMARY_BUDGET } from '../../report/budget.ts';
import { renderPlanReport } from '../../report/plan-report.ts';
import { type Finding, loadStackResults, type StackResult, statusOf } from '../../report/results.ts';
import { UsageError } from '../../util/errors.ts';
import { writeFileAtomic } from '../../util/fs-atomic.ts';
import type { CliIO } from '../io.ts';

export interface ReportOptions {
  planJson: string[];
  stack?: string;
  resultsDir?: string;
  out?: string;
  format: string;
  policy?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** The stack a plan JSON belongs to: --stack, else the stack folder the file sits in. */
function stackOfFile(
  file: string,
  stacks: Stack[],
  loaded: LoadedRegistry,
  cwd: string,
  explicit?: string,
): Stack {
  if (explicit) return findStack(stacks, explicit, { root: loaded.root, cwd, option: '--stack' });
  const found = new StackLocator(stacks).holding(loaded.root, file);
  if (found) return found;
  throw new UsageError(
    `${relative(cwd, file) || file}: not inside a stack folder, so its stack is unknown`,
    'save the plan JSON in the stack folder (tofu show -json plan.tfplan > plan.json) or pass --stack <id or folder>',
  );
}

async function fromPlanFiles(opts: ReportOptions, root: string, io: CliIO): Promise<StackResult[]> {
  const loaded = await loadRegistry(root);
  const stacks = await discoverStacks(loaded);
  if (opts.stack && opts.planJson.length > 1) {
    throw new UsageError(
      '--stack names one stack, but several --plan-json files were given',
      'run idlc report once per stack, or keep each plan.json in its stack folder',
    );
  }
  const results: StackResult[] = [];
  for (const file of opts.planJson) {
    const abs = resolve(io.cwd, file);
    const bytes = await readFile(abs).catch((err: Error) => {
      throw new UsageError(
        `${file}: ${err.message}`,
        'pass the JSON printed by `tofu show -json plan.tfplan`',
      );
    });
    const text = decodePlanBytes(bytes, file);
    const stack = stackOfFile(abs, stacks, loaded, io.cwd, opts.stack);
    const model = buildPlanModel(text);
    let findings: Finding[] | undefined;
    if (opts.policy) {
      const verdict = await evaluatePlanPolicy({
        root: loaded.root,
        planJson: text,
        stack,
        registry: loaded.registry,
      });
      findings = verdict.findings;
    }
    results.push({
      stack: { id: stack.id, team: stack.team, env: stack.env, name: stack.name, dir: stack.dir },
      wave: 0,
      status: statusOf(model, findings),
      model,
      ...(findings ? { policy: { findings } } : {}),
      links: {},
    });
  }
  return results;
}

export async function reportCommand(opts: ReportOptions, ctx: { root: string; io: CliIO }): Promise<string> {
  if (!opts.resultsDir && opts.planJson.length === 0) {
    throw new UsageError('nothing to report', 'pass --plan-json FILE (repeatable) or --results-dir DIR');
  }
  if (opts.resultsDir && opts.planJson.length > 0) {
    throw new UsageError('--results-dir and --plan-json are alternatives', 'pass one of them');
  }
  if (opts.format !== 'comment' && opts.format !== 'summary') {
    throw new UsageError(
      `--format ${opts.format}: not comment or summary`,
      'comment: the PR comment (65,536 characters); summary: the job summary (1 MiB)',
    );
  }
  const results = opts.resultsDir
    ? (await loadStackResults(resolve(ctx.io.cwd, opts.resultsDir))).results
    : await fromPlanFiles(opts, ctx.root, ctx.io);
  const summary = opts.format === 'summary';
  return renderPlanReport(results, {
    budget: summary ? SUMMARY_BUDGET : COMMENT_BUDGET,
    measure: summary ? bytes : chars,
    ...(summary ? { marker: '', elsewhere: '', attributeLines: 200, valueChars: 1000 } : {}),
  });
}

export function registerReport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('report')
    .description(
      'Render the PR comment (or job summary) the report action would post, from plan JSON or a results folder',
    )
    .option(
      '--plan-json <file>',
      'output of `tofu show -json plan.tfplan` (repeatable); its folder names the stack',
      collect,
      [],
    )
    .option('--stack <id-or-dir>', 'the stack of a single --plan-json (default: the folder the file is in)')
    .option(
      '--results-dir <dir>',
      'result JSON files of plan jobs (idlc.stack-result/v1), as the action reads them',
    )
    .option('--policy', 'evaluate the OPA plan policies (needs opa on PATH), as CI does')
    .option('--format <format>', 'comment (65,536 characters) or summary (1 MiB)', 'comment')
    .option('--out <file>', 'write here instead of printing')
    .action(async (opts: ReportOptions) => {
      const root = program.opts().root ?? io.cwd;
      const md = await reportCommand(opts, { root, io });
      if (opts.out) {
        await writeFileAtomic(resolve(io.cwd, opts.out), md);
        io.err(`wrote ${opts.out} (${md.length.toLocaleString('en-US')} characters)`);
      } else {
        io.out(md);
      }
      setExit(0);
    });
}
