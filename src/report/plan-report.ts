/**
 * The plan report: one markdown document for the sticky PR comment (65,536 characters) and,
 * with a larger budget, the job summary. Summaries come first and always fit — headline,
 * notices, a table per wave, policy findings — then the graph, then one collapsible section
 * per stack (errors and denials first), each given a fair share of what is left and cut
 * deterministically, with "… n more" pointing at the job summary.
 */
import { changeSummary, MAX_ATTRIBUTES, type PlanCounts } from '../plan/model.ts';
import { COMMENT_BUDGET, chars, fitPieces, type Measure, MIN_REPORT_BUDGET } from './budget.ts';
import { code, fence, link, text } from './escape.ts';
import { PLAN_MARKER } from './markers.ts';
import { waveGraph } from './mermaid.ts';
import type { Finding, StackResult } from './results.ts';
import {
  FINDING_ICON,
  minimalSize,
  renderStackSection,
  resultIcon,
  resultText,
  type SectionOptions,
} from './stack-section.ts';

export interface PlanReportOptions {
  /** Largest document, in `measure` units (default: the comment budget in characters). */
  budget?: number;
  measure?: Measure;
  /** First line, a hidden marker that finds the sticky comment again ('' for none). */
  marker?: string;
  title?: string;
  commitSha?: string;
  links?: { run?: string; summary?: string };
  /** Where cut details can be read, e.g. "in the job summary" ('' when this is the summary). */
  elsewhere?: string;
  /** Attribute lines per resource and value length in the diffs. */
  attributeLines?: number;
  valueChars?: number;
  graph?: boolean;
  /**
   * Extra notices under the headline (markdown the caller made safe, e.g. which artifacts of a
   * plan run were ignored as unattested). Dropped before the stack sections when space is short.
   */
  notes?: string[];
}

/** Titles are cut here, so the headline always fits MIN_REPORT_BUDGET. */
const MAX_TITLE = 60;

const SEVERITY: Record<StackResult['status'], number> = { error: 0, denied: 1, changes: 2, 'no-changes': 3 };

/** Errors, then denials, then destructive changes, then changes, then no changes; by id within. */
export function bySeverity(a: StackResult, b: StackResult): number {
  const sev = (r: StackResult) =>
    SEVERITY[r.status] * 2 + (r.status === 'changes' && !r.model?.destructive ? 1 : 0);
  return sev(a) - sev(b) || a.stack.id.localeCompare(b.stack.id);
}

const NUMERIC = [
  'create',
  'update',
  'delete',
  'replace',
  'read',
  'noop',
  'forget',
  'import',
  'move',
] as const;

function totals(results: StackResult[]): PlanCounts {
  const t: PlanCounts = {
    create: 0,
    update: 0,
    delete: 0,
    replace: 0,
    read: 0,
    noop: 0,
    forget: 0,
    import: 0,
    move: 0,
  };
  for (const r of results) {
    if (!r.model) continue;
    const c = r.model.counts;
    for (const k of NUMERIC) t[k] += c[k] ?? 0;
    for (const [action, n] of Object.entries(c.other ?? {})) {
      t.other ??= {};
      t.other[action] = (t.other[action] ?? 0) + n;
    }
  }
  return t;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function headline(results: StackResult[], o: PlanReportOptions): string[] {
  const n = (s: StackResult['status']) => results.filter((r) => r.status === s).length;
  const changed = n('changes') + n('denied');
  const icon =
    n('error') > 0
      ? '❌'
      : n('denied') > 0
        ? '⛔'
        : results.some((r) => r.model?.destructive)
          ? '🔴'
          : changed
            ? '🟡'
            : '✅';
  const facts = [
    plural(results.length, 'stack') + ' planned',
    `${changed} with changes`,
    ...(n('denied') ? [`${n('denied')} denied`] : []),
    ...(n('error') ? [plural(n('error'), 'error')] : []),
  ];
  const title = o.title ?? 'idlc plan';
  const out = [
    `### ${icon} ${text(title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE)}…` : title)}: ${facts.join(' · ')}`,
  ];
  const sub: string[] = [];
  if (o.commitSha) sub.push(`commit ${code(o.commitSha.slice(0, 12))}`);
  const t = totals(results);
  if (results.some((r) => r.model)) {
    sub.push(
      `${text(changeSummary(t))} in total${t.move ? `, ${t.move} moved` : ''}${t.import ? `, ${t.import} imported` : ''}`,
    );
  }
  const links = [link('workflow run', o.links?.run), link('job summary', o.links?.summary)].filter(Boolean);
  sub.push(...links);
  if (sub.length) out.push(sub.join(' · '));
  return out;
}

function notices(results: StackResult[]): string[] {
  const list = (rs: StackResult[]) =>
    rs
      .slice(0, 10)
      .map((r) => code(r.stack.id))
      .join(', ') + (rs.length > 10 ? ` and ${rs.length - 10} more` : '');
  const out: string[] = [];
  const errors = results.filter((r) => r.status === 'error');
  const denied = results.filter((r) => r.status === 'denied');
  const destructive = results.filter((r) => r.status !== 'error' && r.model?.destructive);
  if (errors.length) {
    out.push(
      `> [!CAUTION]\n> ${plural(errors.length, 'stack')} failed to plan: ${list(errors)}. Nothing can be applied until the plan succeeds.`,
    );
  }
  if (denied.length) {
    out.push(
      `> [!CAUTION]\n> ${plural(denied.length, 'stack is', 'stacks are')} denied by policy: ${list(denied)}. Fix the findings or add a waiver (policy/waivers) to unblock the apply.`,
    );
  }
  if (destructive.length) {
    out.push(
      `> [!WARNING]\n> ${plural(destructive.length, 'stack destroys or replaces', 'stacks destroy or replace')} resources: ${list(destructive)}. Read the diff before approving.`,
    );
  }
  return out;
}

function policyCell(r: StackResult): string {
  const f = r.policy?.findings;
  if (!f) return '—';
  const c = (s: Finding['status']) => f.filter((x) => x.status === s).length;
  const bits = [
    c('deny') ? `${FINDING_ICON.deny} ${c('deny')}` : '',
    c('warn') ? `${FINDING_ICON.warn} ${c('warn')}` : '',
    c('waived') ? `${FINDING_ICON.waived} ${c('waived')}` : '',
  ].filter(Boolean);
  return bits.length ? bits.join(' ') : '✅';
}

function tableRow(r: StackResult): string {
  const result =
    r.model || r.status !== 'changes'
      ? `${resultIcon(r)} ${code(resultText(r))}`
      : `${resultIcon(r)} changes`;
  const links =
    [link('run', r.links.run), link('summary', r.links.summary)].filter(Boolean).join(' · ') || '—';
  return `| ${code(r.stack.team)} | ${code(r.stack.env)} | ${code(r.stack.name || r.stack.id)} | ${result} | ${policyCell(r)} | ${links} |`;
}

interface Part {
  text: string;
  complete: boolean;
}

const TABLE_HEAD = '| Team | Env | Stack | Result | Policy | Details |\n|---|---|---|---|---|---|';

/** A table per wave, rows cut when over `allowance`. */
function waveTables(results: StackResult[], allowance: number, m: Measure, elsewhere: string): Part {
  const waves = [...new Set(results.map((r) => r.wave))].sort((a, b) => a - b);
  const pieces: string[] = [];
  for (const w of waves) {
    const rows = results.filter((r) => r.wave === w).sort(bySeverity);
    pieces.push(`#### Wave ${w}\n\n${TABLE_HEAD}`);
    for (const r of rows) pieces.push(tableRow(r));
    pieces.push('');
  }
  const fitted = fitPieces(pieces, allowance, m, (n) => `\n… ${n} more rows${elsewhere}.`);
  return { text: fitted.text.trimEnd(), complete: fitted.shown === pieces.length };
}

function policySection(results: StackResult[], allowance: number, m: Measure, elsewhere: string): Part {
  const rows: string[] = [];
  const order = { deny: 0, warn: 1, waived: 2 } as const;
  const all = results.flatMap((r) => (r.policy?.findings ?? []).map((f) => ({ r, f })));
  if (all.length === 0) return { text: '', complete: true };
  all.sort(
    (a, b) =>
      order[a.f.status] - order[b.f.status] ||
      a.r.stack.id.localeCompare(b.r.stack.id) ||
      a.f.rule.localeCompare(b.f.rule),
  );
  for (const { r, f } of all) {
    const waiver = f.status === 'waived' && f.waiver?.reason ? ` (waived: ${text(f.waiver.reason)})` : '';
    rows.push(
      `| ${FINDING_ICON[f.status]} ${f.status} | ${code(r.stack.id)} | ${code(f.rule)} | ${code(f.resource)} | ${text(f.message)}${waiver} |`,
    );
  }
  const head = '#### Policy findings\n\n| | Stack | Rule | Resource | Message |\n|---|---|---|---|---|';
  const fitted = fitPieces([head, ...rows], allowance, m, (n) => `\n… ${n} more findings${elsewhere}.`);
  return { text: fitted.shown === 0 ? '' : fitted.text, complete: fitted.shown === rows.length + 1 };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Below this much room a section shows too little to be worth more than its summary line. */
const USEFUL_SECTION = 1_500;

/**
 * Shares of `total` for sections that each need `wanted` and get at least `minimal`.
 * Stacks are taken in severity order while each can still get a useful amount (or all it
 * needs, if less); among those, max-min fair shares: the smallest needs are met first, so a
 * stack that fits whole is never cut for the sake of a huge one. The rest stay minimal.
 */
export function allocate(wanted: number[], minimal: number[], total: number): number[] {
  const alloc = minimal.slice();
  let remaining = total - sum(minimal);
  const need = wanted.map((w, i) => Math.max(0, w - (minimal[i] as number)));
  const chosen: number[] = [];
  let reserved = 0;
  for (let i = 0; i < need.length; i++) {
    const reserve = Math.min(need[i] as number, USEFUL_SECTION);
    if (reserved + reserve > remaining) continue;
    reserved += reserve;
    chosen.push(i);
  }
  const order = chosen.sort((a, b) => (need[a] as number) - (need[b] as number) || a - b);
  let waiting = order.length;
  for (const i of order) {
    const give = Math.max(0, Math.min(need[i] as number, Math.floor(remaining / waiting)));
    alloc[i] = (alloc[i] as number) + give;
    remaining -= give;
    waiting--;
  }
  return alloc;
}

/**
 * The notes at the end that say why something is missing, one per cause: the comment (or
 * summary) size budget, or the per-resource cap on attribute lines.
 */
function cutNotes(
  cut: { size: boolean; lines: boolean },
  o: { elsewhere: string; attributeLines: number },
): string {
  const all = o.elsewhere ? `; all of them are${o.elsewhere}` : '';
  const notes = [
    ...(cut.size ? [`Some details were left out to fit GitHub's size limit${all}.`] : []),
    ...(cut.lines
      ? [
          `Resources with more than ${o.attributeLines} changed attributes show their first ${o.attributeLines} here${all}.`,
        ]
      : []),
  ];
  return notes.length ? `<sub>${notes.join('<br>')}</sub>` : '';
}

/**
 * Render the whole report within the budget. Every piece is measured before it is added and
 * added only if it fits what is left, with room kept for the closing notes, so the result
 * never exceeds the budget and is cut at piece boundaries only (tags and fences whole).
 * Budgets below MIN_REPORT_BUDGET are refused.
 */
export function renderPlanReport(input: StackResult[], o: PlanReportOptions = {}): string {
  const m = o.measure ?? chars;
  const budget = o.budget ?? COMMENT_BUDGET;
  if (!(budget >= MIN_REPORT_BUDGET)) {
    throw new RangeError(
      `renderPlanReport: a budget of ${budget} is below the minimum of ${MIN_REPORT_BUDGET}`,
    );
  }
  const elsewhere = o.elsewhere === undefined ? ' in the job summary' : o.elsewhere ? ` ${o.elsewhere}` : '';
  const results = [...input].sort(bySeverity);
  const marker = o.marker ?? PLAN_MARKER;
  const SEP = '\n\n';
  const sep = m(SEP);
  const attributeLines = o.attributeLines ?? 40;
  const lines = Math.min(attributeLines, MAX_ATTRIBUTES);

  const footerReserve = m(cutNotes({ size: true, lines: true }, { elsewhere, attributeLines: lines })) + sep;
  const head = headline(results, o);
  const levels = [
    [...(marker ? [marker] : []), ...head, ...notices(results), ...(o.notes ?? [])],
    [...(marker ? [marker] : []), ...head],
    [...(marker ? [marker] : []), head[0] as string],
  ].map((l) => l.join(SEP));
  const top = levels.find((t) => m(t) + footerReserve <= budget);
  if (top === undefined) {
    // not even the closing notes fit beside the first line: that line alone (it fits: the
    // title is capped so that the headline stays under the minimum budget)
    return levels[2] as string;
  }
  const cut = { size: top !== levels[0], lines: false };
  let left = budget - m(top) - footerReserve;
  const parts: string[] = [top];
  /** Adds `s` if it fits what is left; says whether it did. */
  const add = (s: string): boolean => {
    if (!s) return true;
    if (m(s) + sep > left) {
      cut.size = true;
      return false;
    }
    parts.push(s);
    left -= m(s) + sep;
    return true;
  };
  const finish = () => {
    const notes = cutNotes(cut, { elsewhere, attributeLines: lines });
    return [...parts, ...(notes ? [notes] : [])].join(SEP);
  };
  if (results.length === 0) {
    add('No stacks were planned: this change touches no stack.');
    return finish();
  }

  for (const part of [
    () => waveTables(results, Math.floor(left * 0.5), m, elsewhere),
    () => policySection(results, Math.floor(left * 0.3), m, elsewhere),
  ]) {
    const p = part();
    if (!add(p.text) || !p.complete) cut.size = true;
  }
  // a graph of one stack says nothing the table does not
  if (o.graph !== false && results.length > 1) {
    const graph = waveGraph(results);
    const block = graph
      ? `<details><summary>Waves and affected stacks</summary>${SEP}${fence(graph, 'mermaid')}${SEP}</details>`
      : '';
    if (block && m(block) <= Math.min(left * 0.3, 12_000)) add(block);
  }

  const section: SectionOptions = {
    measure: m,
    detail: { attributeLines, valueChars: o.valueChars ?? 200 },
    maxFindings: 20,
    // the policy section above lists every finding; sections only count them
    findings: 'count',
    links: false,
    elsewhere,
  };
  const detailed = results.filter((r) => r.status !== 'no-changes' || r.model?.drift.length || r.error);
  if (detailed.length > 0) {
    const heading = '#### Details';
    const moreNote = (n: number) =>
      elsewhere
        ? `… ${plural(n, 'more stack')}: details only${elsewhere}.`
        : `… ${plural(n, 'more stack')} not shown.`;
    const minimal = detailed.map((r) => minimalSize(r, section) + sep);
    const avail = left - (m(heading) + sep);
    // every stack at least minimal, in severity order, as many as fit
    let count = detailed.length;
    const room = (k: number) => avail - (k < detailed.length ? m(moreNote(detailed.length - k)) + sep : 0);
    while (count > 0 && sum(minimal.slice(0, count)) > room(count)) count--;
    if (count === 0) {
      // no section fits: one line instead of a heading over nothing
      add(moreNote(detailed.length).replace('more ', ''));
      cut.size = true;
    } else {
      add(heading);
      const wanted = detailed.slice(0, count).map((r) => {
        const full = renderStackSection(r, Number.POSITIVE_INFINITY, section);
        return full ? m(full.text) + sep : 0;
      });
      const alloc = allocate(wanted, minimal.slice(0, count), room(count));
      for (let i = 0; i < count; i++) {
        const out = renderStackSection(detailed[i] as StackResult, (alloc[i] as number) - sep, section);
        if (!out || !add(out.text)) {
          cut.size = true;
          continue;
        }
        if (out.cut.size) cut.size = true;
        if (out.cut.attributeLines) cut.lines = true;
      }
      if (count < detailed.length) {
        cut.size = true;
        add(moreNote(detailed.length - count));
      }
    }
  }
  return finish();
}
