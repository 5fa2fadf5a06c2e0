import type { RawFinding } from './opa-eval.ts';
import { globMatch, isExpired, type Waiver, waiverApplies, where } from './waivers.ts';

export type FindingStatus = 'deny' | 'warn' | 'waived';

export interface Finding {
  status: FindingStatus;
  /** Package-qualified rule id, e.g. tags.required. */
  rule: string;
  /** Resource address (plans) or Kind/namespace/name (manifests). */
  resource: string;
  message: string;
  /** The waiver that turned a deny into "waived". */
  waiver?: { reason: string; owner: string; expires: string; at: string };
}

export interface PolicyResult {
  findings: Finding[];
  /** true when any finding is still a deny (waived ones don't count). */
  denied: boolean;
  /** Things the reader must know that are not findings: empty policy set, unused waivers. */
  warnings: string[];
}

/**
 * Apply waivers to OPA's deny/warn for one stack (or manifest folder): a live waiver turns a
 * matching deny into "waived" (still shown); an expired waiver for this stack is itself a
 * deny (rule waivers.expired) and waives nothing.
 */
export function applyWaivers(
  raw: { deny: RawFinding[]; warn: RawFinding[] },
  waivers: Waiver[],
  stack: string,
  now: Date,
): { findings: Finding[]; warnings: string[] } {
  const forStack = waivers.filter((w) => globMatch(stack, w.stack));
  const live = forStack.filter((w) => !isExpired(w, now));
  const used = new Set<Waiver>();
  const findings: Finding[] = [];
  for (const f of raw.deny) {
    const w = live.find((x) => waiverApplies(x, stack, f.rule, f.resource));
    if (w) {
      used.add(w);
      findings.push({
        status: 'waived',
        ...f,
        waiver: { reason: w.reason, owner: w.owner, expires: w.expires, at: where(w) },
      });
    } else findings.push({ status: 'deny', ...f });
  }
  for (const f of raw.warn) findings.push({ status: 'warn', ...f });
  for (const w of forStack.filter((x) => isExpired(x, now))) {
    findings.push({
      status: 'deny',
      rule: 'waivers.expired',
      resource: w.resource,
      message: `waiver at ${where(w)} for ${w.rule} on ${w.resource} (owner ${w.owner}) expired on ${w.expires}; fix the finding and delete the waiver, or renew it with a new date and reason`,
    });
  }
  const warnings = live
    .filter((w) => !used.has(w))
    .map(
      (w) =>
        `waiver at ${where(w)} (${w.rule} on ${w.resource}) matched no finding in ${stack}; remove it if the fix landed`,
    );
  return { findings: sortFindings(findings), warnings };
}

const ORDER: Record<FindingStatus, number> = { deny: 0, waived: 1, warn: 2 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      a.resource.localeCompare(b.resource) ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

export function result(findings: Finding[], warnings: string[]): PolicyResult {
  return { findings, denied: findings.some((f) => f.status === 'deny'), warnings };
}

/** One line per finding for terminals and logs: STATUS rule resource: message. */
export function formatFinding(f: Finding): string {
  const head = `${f.status.toUpperCase().padEnd(6)} ${f.rule}  ${f.resource}`;
  const waived = f.waiver
    ? `\n         waived by ${f.waiver.at} until ${f.waiver.expires} (${f.waiver.owner}): ${f.waiver.reason}`
    : '';
  return `${head}\n         ${f.message}${waived}`;
}

export function countByStatus(findings: Finding[]): Record<FindingStatus, number> {
  const out: Record<FindingStatus, number> = { deny: 0, warn: 0, waived: 0 };
  for (const f of findings) out[f.status]++;
  return out;
}
