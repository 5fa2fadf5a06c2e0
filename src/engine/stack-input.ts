import type { Stack } from '../discovery/stacks.ts';
import { UsageError } from '../util/errors.ts';

/**
 * What a plan/apply job is told to run: stack ids (`aws/search/dev`, several separated by
 * spaces or commas), one matrix entry from the detect action (`{ "id": …, "plan_role": … }`),
 * a packed matrix job (`{ "stacks": [ … ] }`) or a JSON list of either.
 */
export interface StackRequest {
  id: string;
  /** Fields of a detect matrix entry, cross-checked against the registry when present. */
  entry?: Record<string, unknown>;
}

export function parseStackInput(raw: string): StackRequest[] {
  const text = raw.trim();
  if (text === '') {
    throw new UsageError(
      'no stack given',
      'pass `stack: aws/<team>/<env>[/<stack>]` or a matrix entry from idlc detect',
    );
  }
  if (!text.startsWith('{') && !text.startsWith('[')) {
    return [...new Set(text.split(/[\s,]+/).filter(Boolean))].map((id) => ({ id }));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `the stack input is not valid JSON: ${(err as Error).message}`,
      'pass the matrix entry as JSON (toJSON(matrix) in the workflow expression)',
    );
  }
  const out: StackRequest[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (typeof v === 'string') {
      out.push({ id: v });
      return;
    }
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o['stacks'])) return visit(o['stacks']);
      if (typeof o['id'] === 'string') {
        out.push({ id: o['id'], entry: o });
        return;
      }
    }
    throw new UsageError(
      `the stack input holds ${JSON.stringify(v).slice(0, 80)}, which is neither a stack id nor a matrix entry`,
      'pass a stack id, a matrix entry ({ "id": … }) or a packed job ({ "stacks": [ … ] })',
    );
  };
  visit(value);
  if (out.length === 0) throw new UsageError('the stack input lists no stacks', 'pass at least one stack id');
  return out;
}

/** Matrix entry fields that must agree with what the registry resolves for the stack. */
const CROSS_CHECKED: [string, (s: Stack) => unknown][] = [
  ['dir', (s) => s.dir],
  ['team', (s) => s.team],
  ['env', (s) => s.env],
  ['cloud', (s) => s.cloud],
  ['engine', (s) => s.engine.name],
  ['plan_role', (s) => s.target.planRole],
  ['apply_role', (s) => s.target.applyRole],
  ['github_environment', (s) => s.target.githubEnvironment],
  ['protected', (s) => s.target.protected],
  ['account', (s) => s.target.accountId ?? s.target.project],
];

/**
 * The registry's stacks for the requests. The registry decides roles and accounts; a matrix
 * entry that says otherwise (edited workflow, stale matrix) is refused rather than believed.
 */
export function resolveRequestedStacks(requests: StackRequest[], stacks: Stack[]): Stack[] {
  const byId = new Map(stacks.map((s) => [s.id, s]));
  return requests.map((r) => {
    const stack = byId.get(r.id);
    if (!stack) {
      throw new UsageError(
        `stack "${r.id}" is not in this repository (known: ${[...byId.keys()].slice(0, 8).join(', ')}${byId.size > 8 ? ', …' : ''})`,
        'check the id (cloud/team/env[/stack]) against `idlc stacks`',
      );
    }
    for (const [field, get] of CROSS_CHECKED) {
      const given = r.entry?.[field];
      if (given === undefined || given === '') continue;
      if (String(given) !== String(get(stack))) {
        throw new UsageError(
          `stack ${r.id}: the matrix entry says ${field}=${JSON.stringify(given)} but idlc.yaml gives ${JSON.stringify(get(stack))}`,
          'the registry is authoritative: re-run idlc detect so the matrix matches idlc.yaml',
        );
      }
    }
    return stack;
  });
}
