/**
 * Size budgets. A PR comment may hold 65,536 characters and a step summary 1 MiB; the report
 * is assembled piece by piece, each piece measured before it is added, so the result fits
 * by construction and is cut at piece boundaries only (never inside a tag or a fence).
 */

/** GitHub's limit on issue and pull request comment bodies (characters). */
export const COMMENT_LIMIT = 65_536;
/**
 * What the comment renderer aims for: the limit less a margin for line-ending normalisation
 * and the marker, measured in UTF-16 code units (never fewer than the characters GitHub counts).
 */
export const COMMENT_BUDGET = COMMENT_LIMIT - 256;
/**
 * The smallest budget the plan report renderer promises to fit (in its measure's units).
 * At or above it, the report is never longer than the budget and always structurally whole
 * (details and fences closed); below it the renderer refuses (RangeError). It leaves room
 * for the marker, the headline (title capped at 60 characters) and the closing notes that
 * say what was cut; the property test in plan-report.property.test.ts checks the promise
 * over generated budgets and plans.
 */
export const MIN_REPORT_BUDGET = 500;
/** GitHub's limit on a step's summary (GITHUB_STEP_SUMMARY), in bytes. */
export const SUMMARY_LIMIT = 1024 * 1024;
export const SUMMARY_BUDGET = SUMMARY_LIMIT - 8 * 1024;
/** Check run output.summary and output.text (characters). */
export const CHECK_RUN_TEXT_LIMIT = 65_535;

export type Measure = (s: string) => number;
export const chars: Measure = (s) => s.length;
export const bytes: Measure = (s) => Buffer.byteLength(s, 'utf8');

/**
 * The longest prefix of `pieces` that fits `allowance` together with the note for what was
 * left out (`more(n)`, measured only when something is left out).
 */
export function fitPieces(
  pieces: string[],
  allowance: number,
  measure: Measure,
  more: (left: number) => string,
  separator = '\n',
): { text: string; shown: number } {
  const sep = measure(separator);
  let used = 0;
  let shown = 0;
  for (const p of pieces) {
    const size = measure(p) + (shown > 0 ? sep : 0);
    if (used + size > allowance) break;
    used += size;
    shown++;
  }
  if (shown === pieces.length) return { text: pieces.join(separator), shown };
  // make room for the note by giving back pieces until it fits
  for (;;) {
    const note = more(pieces.length - shown);
    const kept = pieces.slice(0, shown);
    const text = kept.length ? `${kept.join(separator)}${separator}${note}` : note;
    if (measure(text) <= allowance || shown === 0)
      return { text: measure(text) <= allowance ? text : '', shown };
    shown--;
  }
}
