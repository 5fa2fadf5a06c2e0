import { join } from 'node:path';
import type { PlanModel } from '../plan/model.ts';
import { IdlcError, UsageError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs-atomic.ts';
import { EngineError } from './engine-errors.ts';
import type { RunTimings } from './plan-stack.ts';
import type { PolicyVerdict } from './provenance.ts';

export const STACK_RESULT_SCHEMA = 'idlc.stack-result/v1';

/**
 * One stack's outcome for the report step (PR comment, check, job summary). It holds the
 * redacted plan model only: no plan file, no raw plan JSON, no credentials. The workflow
 * uploads the folder of these files as an artifact.
 */
export interface StackResultFile {
  schema: typeof STACK_RESULT_SCHEMA;
  kind: 'plan' | 'apply';
  stackId: string;
  dir: string;
  team: string;
  env: string;
  /** planned: a plan with changes; unchanged: nothing to do; applied; failed: see error. */
  status: 'planned' | 'unchanged' | 'applied' | 'failed';
  headSha?: string;
  mergeSha?: string;
  pullRequest?: number;
  hasChanges?: boolean;
  denied?: boolean;
  policy?: PolicyVerdict;
  model?: PlanModel;
  bundle?: { sha256: string; uri?: string };
  principal?: string;
  warnings: string[];
  error?: { kind: string; message: string; fix?: string };
  timings?: RunTimings;
}

export function resultFileName(kind: 'plan' | 'apply', stackId: string): string {
  return `${kind}-${stackId.replace(/[^\w.-]+/g, '__')}.json`;
}

export async function writeStackResult(dir: string, result: StackResultFile): Promise<string> {
  const path = join(dir, resultFileName(result.kind, result.stackId));
  await writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** An error as the report shows it: kind, message, fix; never the engine's full output. */
export function errorForReport(err: unknown): NonNullable<StackResultFile['error']> {
  if (err instanceof EngineError)
    return { kind: err.kind, message: err.message.split('\n  fix:')[0] ?? '', fix: err.fix };
  if (err instanceof UsageError)
    return { kind: 'refused', message: err.message.split('\n  fix:')[0] ?? '', fix: err.fix };
  if (err instanceof IdlcError) return { kind: 'invalid', message: err.message, fix: err.problems[0]?.fix };
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}
