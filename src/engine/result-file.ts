import { join } from 'node:path';
import type { Stack } from '../discovery/stacks.ts';
import type { PlanModel } from '../plan/model.ts';
import {
  type ApplyResult,
  type Finding,
  STACK_RESULT_SCHEMA,
  type StackResultInput,
  statusOf,
} from '../report/results.ts';
import { IdlcError, UsageError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs-atomic.ts';
import type { ApplyStackResult } from './apply-stack.ts';
import { EngineError } from './engine-errors.ts';
import type { PlanStackResult, RunTimings } from './plan-stack.ts';

/**
 * One stack's outcome for the report step, in the report's contract (src/report/results.ts,
 * idlc.stack-result/v1): redacted model, status, policy findings, bundle hash. Never the plan
 * file, the raw plan JSON or a credential. Extra fields (timings, warnings, principal) are for
 * people reading the artifact; the report ignores them.
 */
interface Extras {
  timings?: RunTimings;
  warnings?: string[];
  principal?: string;
  /** Where the plan bundle is stored (plan results): the manifest lists it for apply. */
  bundle?: { bucket: string; key: string; sha256: string };
  /** The stack's non-sensitive `workload` output after apply, for the app overlays. */
  workload?: { value: unknown };
}

export type PlanResultFile = StackResultInput & Extras;
export type ApplyResultFile = Omit<ApplyResult, 'wave' | 'links'> & {
  wave: number;
  links: ApplyResult['links'];
} & Extras;

export function resultFileName(kind: 'plan' | 'apply', stackId: string, suffix = ''): string {
  return `${kind}-${stackId.replace(/[^\w.-]+/g, '__')}${suffix ? `.${suffix}` : ''}.json`;
}

export async function writeResultFile(
  dir: string,
  kind: 'plan' | 'apply',
  stackId: string,
  result: PlanResultFile | ApplyResultFile,
  suffix = '',
): Promise<string> {
  const path = join(dir, resultFileName(kind, stackId, suffix));
  await writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** An error as the report shows it: the message and its fix, never the engine's full output. */
export function errorForReport(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  if (err instanceof IdlcError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

const stackRef = (s: Stack) => ({ id: s.id, team: s.team, env: s.env, name: s.name, dir: s.dir });

export function planResultFile(o: {
  stack: Stack;
  wave: number;
  headSha: string;
  runUrl?: string;
  result?: PlanStackResult;
  findings?: Finding[];
  error?: unknown;
}): PlanResultFile {
  const base: PlanResultFile = {
    schema: STACK_RESULT_SCHEMA,
    stack: stackRef(o.stack),
    wave: o.wave,
    status: 'error',
    links: o.runUrl ? { run: o.runUrl } : {},
    headSha: o.headSha,
  };
  if (!o.result) return { ...base, error: errorForReport(o.error) };
  const r = o.result;
  return {
    ...base,
    status: r.denied ? 'denied' : statusOf(r.model, o.findings ?? []),
    model: r.model,
    policy: o.findings ? { findings: o.findings } : undefined,
    bundleSha256: r.bundle?.sha256,
    ...(r.bundle ? { bundle: { bucket: r.bundle.bucket, key: r.bundle.key, sha256: r.bundle.sha256 } } : {}),
    timings: r.timings,
    warnings: r.warnings,
    principal: r.principal,
  };
}

export function applyResultFile(o: {
  stack: Stack;
  wave: number;
  runUrl?: string;
  result?: ApplyStackResult;
  error?: unknown;
  /** The merge commit that was being applied when it failed. */
  mergeSha?: string;
  /** Not attempted because an earlier stack of the same job failed. */
  skipped?: boolean;
}): ApplyResultFile {
  const base: ApplyResultFile = {
    stack: stackRef(o.stack),
    wave: o.wave,
    status: 'skipped',
    links: o.runUrl ? { run: o.runUrl } : {},
    ...(o.mergeSha ? { mergeSha: o.mergeSha } : {}),
  };
  if (o.skipped) return { ...base, error: 'not attempted: an earlier stack of this job failed' };
  if (!o.result) {
    const stale = o.error instanceof EngineError && o.error.kind === 'stale-plan';
    return { ...base, status: stale ? 'stale' : 'failed', error: errorForReport(o.error) };
  }
  const r = o.result;
  return {
    ...base,
    status: r.skipped ? 'skipped' : r.applied ? 'applied' : 'no-changes',
    ...(r.skipped ? { note: r.skipped } : {}),
    pullRequest: r.pullRequest.number,
    mergeSha: o.mergeSha ?? undefined,
    ...(r.model ? { model: r.model as PlanModel } : {}),
    ...(r.workload ? { workload: r.workload } : {}),
    bundleSha256: r.bundleSha256,
    timings: r.timings,
    warnings: r.warnings,
    principal: r.principal,
  };
}
