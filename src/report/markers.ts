/**
 * Hidden markers that let a later run find what an earlier one wrote: the sticky plan
 * comment, the apply comment on a merged PR, and one drift issue per stack. Each carries a
 * format version; a comment with our marker in another version (or an earlier, unversioned
 * format) is outdated and gets minimized rather than edited.
 */

export const PLAN_REPORT_VERSION = 1;
export const PLAN_MARKER = `<!-- idlc:plan-report v${PLAN_REPORT_VERSION} -->`;
export const APPLY_MARKER = `<!-- idlc:apply-report v1 -->`;
export const DRIFT_MARKER_PREFIX = '<!-- idlc:drift v1 stack=';

export type MarkerMatch = 'current' | 'outdated' | 'none';

/**
 * Whether `body` carries `marker` (current), an idlc marker of the same kind in another
 * version or an earlier format (outdated), or none.
 */
export function matchMarker(body: string, marker: string): MarkerMatch {
  if (body.startsWith(marker) || body.includes(`\n${marker}`)) return 'current';
  const kind = /<!-- idlc:([a-z-]+) v\d+/.exec(marker)?.[1];
  if (!kind) return 'none';
  const family = new RegExp(`<!--\\s*idlc[:\\-_ ]${kind.replace(/-/g, '[-_ ]?')}\\b[^>]*-->`);
  return family.test(body) ? 'outdated' : 'none';
}

export function driftMarker(stackId: string): string {
  return `${DRIFT_MARKER_PREFIX}${encodeURIComponent(stackId)} -->`;
}

/** The stack id a drift issue's body is about, if it carries our marker. */
export function driftStackOf(body: string | null | undefined): string | undefined {
  const m = /<!-- idlc:drift v1 stack=(\S+) -->/.exec(body ?? '');
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}
