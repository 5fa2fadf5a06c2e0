import { UsageError } from '../util/errors.ts';

export type EngineFailureKind =
  | 'missing'
  | 'version'
  | 'locked'
  | 'stale-plan'
  | 'corrupt-plan'
  | 'init'
  | 'plan'
  | 'show'
  | 'apply';

/** An engine command failed; `output` is the captured stderr (and stdout tail) for the report. */
export class EngineError extends UsageError {
  constructor(
    readonly kind: EngineFailureKind,
    message: string,
    fix: string | undefined,
    readonly output = '',
  ) {
    super(message, fix);
    this.name = 'EngineError';
  }
}

export interface LockInfo {
  id: string;
  path?: string;
  operation?: string;
  who?: string;
  version?: string;
  created?: string;
  info?: string;
}

const ANSI = /\u001b\[[0-9;]*m/g;
export const stripAnsi = (s: string) => s.replace(ANSI, '');

/**
 * The "Lock Info:" block tofu and terraform print when the state lock is held by someone else:
 *   Lock Info:
 *     ID:        0e087309-ff14-092a-d447-10ff37bd05e5
 *     Who:       runner@fv-az123
 *     Created:   2026-11-25 21:38:05.914288864 +0000 UTC
 */
export function parseLockInfo(output: string): LockInfo | undefined {
  const text = stripAnsi(output);
  const at = text.indexOf('Lock Info:');
  if (at < 0) return undefined;
  const fields: Record<string, string> = {};
  for (const line of text.slice(at).split('\n').slice(1)) {
    const bare = line.replace(/^[\s│|]+/, '');
    if (bare.trim() === '') {
      if (Object.keys(fields).length > 0) break;
      continue;
    }
    const m = /^([A-Za-z]+):\s*(.*?)\s*$/.exec(bare);
    if (!m) break;
    fields[(m[1] as string).toLowerCase()] = m[2] as string;
  }
  if (!fields['id']) return undefined;
  return {
    id: fields['id'],
    path: fields['path'],
    operation: fields['operation'],
    who: fields['who'],
    version: fields['version'],
    created: fields['created'],
    info: fields['info'] || undefined,
  };
}

/** Who holds the lock, since when, and the manual unlock command (never run by idlc). */
export function stateLockedError(
  engine: string,
  stackId: string,
  info: LockInfo,
  output: string,
): EngineError {
  const op = info.operation?.replace(/^OperationType/, '').toLowerCase();
  const lines = [
    `stack ${stackId}: the state is locked by another run`,
    `  held by: ${info.who ?? 'unknown'}${op ? ` (${op})` : ''}`,
    `  since:   ${info.created ?? 'unknown'}`,
    `  lock id: ${info.id}`,
  ];
  if (info.path) lines.push(`  state:   ${info.path}`);
  return new EngineError(
    'locked',
    lines.join('\n'),
    'wait for that run to finish and re-run this job. Only if it is certainly dead (its job is ' +
      `cancelled or failed), unlock by hand from the stack folder after init: ${engine} force-unlock ${info.id}`,
    output,
  );
}

export const isStalePlan = (output: string) => /Saved plan is stale/i.test(stripAnsi(output));

export const isCorruptPlan = (output: string) =>
  /Failed to (?:read|load) (?:the given file as a state or plan file|"[^"]*" as a plan file)|not a valid zip file|plan file .*(?:corrupt|invalid)/i.test(
    stripAnsi(output),
  );

/** The error lines of engine output (the boxed "Error: …" blocks), for short reports. */
export function errorSummary(output: string, max = 1500): string {
  const text = stripAnsi(output)
    .split('\n')
    .map((l) => l.replace(/^[│╷╵]\s?/, ''))
    .join('\n')
    .trim();
  const at = text.indexOf('Error:');
  const slice = at >= 0 ? text.slice(at) : text;
  return slice.length > max ? `${slice.slice(0, max)}…` : slice;
}
