/**
 * One stack's collapsible section: why it failed, its policy findings, then the plan as a
 * diff (drift, resources, outputs), cut to the space it is given with a note of what was left
 * out. Always structurally whole: the <details> and the fence are closed in every outcome.
 */
import { changeSummary, type PlanModel } from '../plan/model.ts';
import { fitPieces, type Measure } from './budget.ts';
import { type DiffDetail, outputLines, resourceLines } from './diff-lines.ts';
import { code, fence, fenceBody, link, text } from './escape.ts';
import type { Finding, StackResult } from './results.ts';

export interface SectionOptions {
  measure: Measure;
  detail: DiffDetail;
  /** Findings listed per stack before "… n more findings". */
  maxFindings: number;
  /** 'table': list the stack's findings; 'count': one line (when listed elsewhere). */
  findings: 'table' | 'count';
  /** Repeat the run and job summary links (false where a table row already has them). */
  links: boolean;
  /** Where the rest lives, for "… in the job summary" notes ('' when this is the summary). */
  elsewhere: string;
}

export const FINDING_ICON: Record<Finding['status'], string> = { deny: '⛔', warn: '⚠️', waived: '🏳️' };

export function resultIcon(r: Pick<StackResult, 'status' | 'model'>): string {
  switch (r.status) {
    case 'error':
      return '❌';
    case 'denied':
      return '⛔';
    case 'no-changes':
      return '✅';
    default:
      return r.model?.destructive ? '🔴' : '🟡';
  }
}

/** The short result text used in tables and summaries: "+2 ~1 -0", "no changes", "error". */
export function resultText(r: Pick<StackResult, 'status' | 'model'>): string {
  if (r.status === 'error') return 'error';
  if (r.status === 'no-changes') return 'no changes';
  const counts = r.model ? changeSummary(r.model.counts) : 'changes';
  return r.status === 'denied' ? `denied · ${counts}` : counts;
}

function summaryLine(r: StackResult): string {
  const extras: string[] = [];
  if (r.model?.drift.length) extras.push(`drift ${r.model.drift.length}`);
  if (r.model?.counts.move) extras.push(`moved ${r.model.counts.move}`);
  if (r.model?.counts.import) extras.push(`imported ${r.model.counts.import}`);
  const tail = extras.length ? ` · ${extras.join(' · ')}` : '';
  return `<details><summary>${resultIcon(r)} ${code(r.stack.id)} · ${text(resultText(r))}${tail} · wave ${r.wave}</summary>`;
}

function findingRows(findings: Finding[], o: SectionOptions): string[] {
  const order = { deny: 0, warn: 1, waived: 2 } as const;
  const sorted = [...findings].sort(
    (a, b) =>
      order[a.status] - order[b.status] ||
      a.rule.localeCompare(b.rule) ||
      a.resource.localeCompare(b.resource),
  );
  return sorted
    .map((f) => {
      const waiver =
        f.status === 'waived' && f.waiver
          ? ` (waived: ${text(f.waiver.reason ?? '')}, until ${text(f.waiver.expires ?? '?')})`
          : '';
      return `| ${FINDING_ICON[f.status]} ${f.status} | ${code(f.rule)} | ${code(f.resource)} | ${text(f.message)}${waiver} |`;
    })
    .slice(0, Math.max(0, o.maxFindings));
}

/** The parts above the diff: error, plan errors, findings, checkov, provenance. */
function preamble(r: StackResult, o: SectionOptions): string[] {
  const parts: string[] = [];
  if (r.error) {
    parts.push(`**Plan failed**\n\n${fence(fenceBody(clipLines(r.error, 40, 4_000)))}`);
  }
  const errors = r.model?.errors ?? [];
  if (errors.length > 0) {
    const items = errors.slice(0, 10).map((e) => {
      const where = [e.address, e.location].filter(Boolean).map((x) => code(String(x)));
      // the captured output is shown whole above; here only what and where
      const detail = e.detail && !r.error ? `: ${text(clip(e.detail.replace(/\s+/g, ' '), 600))}` : '';
      return `- ${e.severity === 'error' ? '❌' : '⚠️'} ${text(e.summary)}${where.length ? ` (${where.join(', ')})` : ''}${detail}`;
    });
    if (errors.length > 10) items.push(`- … ${errors.length - 10} more`);
    parts.push(items.join('\n'));
  }
  const findings = r.policy?.findings ?? [];
  if (findings.length > 0 && o.findings === 'count') {
    const n = (st: Finding['status']) => findings.filter((f) => f.status === st).length;
    const bits = (['deny', 'warn', 'waived'] as const)
      .filter((st) => n(st))
      .map((st) => `${FINDING_ICON[st]} ${n(st)} ${st}`);
    parts.push(`Policy: ${bits.join(', ')} (listed under Policy findings).`);
  } else if (findings.length > 0) {
    const rows = findingRows(findings, o);
    const more = findings.length - rows.length;
    parts.push(
      [
        '| Policy | Rule | Resource | Message |',
        '|---|---|---|---|',
        ...rows,
        ...(more > 0 ? [`| | | | … ${more} more finding${more === 1 ? '' : 's'}${o.elsewhere} |`] : []),
      ].join('\n'),
    );
  }
  if (r.checkov) {
    const c = r.checkov;
    const top = (c.top ?? [])
      .slice(0, 5)
      .map((f) => `${code(f.checkId)} ${code(f.resource)}${f.at ? ` at ${code(f.at)}` : ''}`);
    parts.push(
      `Checkov: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${top.length ? `\n\n${top.map((t) => `- ${t}`).join('\n')}` : ''}`,
    );
  }
  return parts;
}

/**
 * Whether a resource among the first `shown` diff blocks has more attribute changes than
 * its lines show (the per-resource cap, or the model's own cap). Deletions and reads list
 * no attributes on purpose; they are not cut.
 */
function attributesCut(model: PlanModel | undefined, detail: DiffDetail, shown: number): boolean {
  if (!model) return false;
  const blocks = [
    ...model.drift.map((x) => ({ x, drift: true })),
    ...model.resources.map((x) => ({ x, drift: false })),
  ].slice(0, shown);
  return blocks.some(
    ({ x, drift }) =>
      (drift || (x.action !== 'delete' && x.action !== 'read')) &&
      (x.attributes.length > detail.attributeLines || (x.attributesOmitted ?? 0) > 0),
  );
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

function clipLines(s: string, maxLines: number, maxChars: number): string[] {
  const lines = clip(s, maxChars).split(/\r?\n/);
  return lines.length <= maxLines
    ? lines
    : [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`];
}

function footer(r: StackResult, o: SectionOptions): string {
  const bits: string[] = [];
  if (r.bundleSha256) bits.push(`plan bundle sha256 ${code(r.bundleSha256)}`);
  const links = [
    ...(o.links ? [link('run', r.links.run), link('job summary', r.links.summary)] : []),
    link('bundle', r.links.bundle),
  ].filter(Boolean);
  if (links.length) bits.push(links.join(' · '));
  return bits.length ? `<sub>${bits.join(' · ')}</sub>` : '';
}

type BlockKind = 'drift' | 'resource' | 'output';

/** Diff blocks in reading order: drift, then resources, then outputs. */
function diffBlocks(model: PlanModel, detail: DiffDetail): { blocks: string[]; kinds: BlockKind[] } {
  const blocks: string[] = [];
  const kinds: BlockKind[] = [];
  for (const d of model.drift) {
    blocks.push(resourceLines(d, detail, true).join('\n'));
    kinds.push('drift');
  }
  for (const res of model.resources) {
    blocks.push(resourceLines(res, detail).join('\n'));
    kinds.push('resource');
  }
  for (const out of model.outputs) {
    blocks.push(outputLines(out, detail).join('\n'));
    kinds.push('output');
  }
  return { blocks, kinds };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "412 more resources and 3 outputs" for the blocks left out. */
function leftOut(kinds: BlockKind[]): string {
  const n = (k: BlockKind) => kinds.filter((x) => x === k).length;
  const parts = [
    n('resource') ? plural(n('resource'), 'more resource') : '',
    n('drift') ? plural(n('drift'), 'drifted resource') : '',
    n('output') ? plural(n('output'), 'output') : '',
  ].filter(Boolean);
  return parts.join(' and ');
}

function renderWith(r: StackResult, allowance: number, o: SectionOptions, detail: DiffDetail) {
  const head = `${summaryLine(r)}\n\n`;
  const tail = '\n\n</details>';
  const SEP = '\n\n';
  const pre = preamble(r, o);
  const foot = footer(r, o);
  const after = foot ? [foot] : [];
  // exact size of head + [...pre, X, ...after].join(SEP) + tail, without X
  const sizeWith = (extra: number) =>
    o.measure(head) +
    o.measure(tail) +
    pre.reduce((a, p) => a + o.measure(p), 0) +
    after.reduce((a, p) => a + o.measure(p), 0) +
    o.measure(SEP) * (pre.length + after.length) +
    extra;
  let middle: string | undefined;
  let shown = 0;
  let total = 0;
  if (r.model) {
    const { blocks, kinds } = diffBlocks(r.model, detail);
    total = blocks.length;
    if (blocks.length > 0) {
      const pieces = blocks.map((b) => fenceBody([b]));
      // the fence is sized for everything, so a cut never needs a longer one
      const ticks = fence(pieces.join('\n')).split('\n')[0] as string;
      const open = `${ticks}diff\n`;
      const close = `\n${ticks}`;
      const room = allowance - sizeWith(o.measure(open) + o.measure(close));
      const fitted = fitPieces(
        pieces,
        room,
        o.measure,
        (n) => `# … ${leftOut(kinds.slice(kinds.length - n))}${o.elsewhere}`,
      );
      shown = fitted.shown;
      middle = fitted.text
        ? `${open}${fitted.text}${close}`
        : `${leftOut(kinds).replace(' more ', ' ')} not shown here${o.elsewhere}.`;
    } else if (!r.error && r.status === 'no-changes') {
      middle = 'No changes. Infrastructure matches the configuration.';
    }
  }
  const body = [...pre, ...(middle === undefined ? [] : [middle]), ...after];
  const out = `${head}${body.join(SEP)}${tail}`;
  const findings = o.findings === 'table' ? (r.policy?.findings.length ?? 0) : 0;
  const cut: SectionCuts = {
    // resources left out, or shown as headers only, for want of room
    size: shown < total || (detail.attributeLines === 0 && total > 0 && o.detail.attributeLines > 0),
    // a resource with more changed attributes than the per-resource cap shows
    attributeLines: detail.attributeLines > 0 && attributesCut(r.model, detail, shown),
    findings: findings > o.maxFindings,
  };
  return { out, shown, total, cut };
}

/** The smallest useful section: the summary line and a pointer to the job summary. */
function minimal(r: StackResult, o: SectionOptions): string {
  const where = o.elsewhere ? `Details${o.elsewhere}.` : 'Details omitted.';
  return `${summaryLine(r)}\n\n${where}\n\n</details>`;
}

export function minimalSize(r: StackResult, o: SectionOptions): number {
  return o.measure(minimal(r, o));
}

/** Why a section shows less than the stack has (each cause is named in its own note). */
export interface SectionCuts {
  /** Left out for want of room (the comment or summary size budget). */
  size: boolean;
  /** Attribute lines past the per-resource cap (`detail.attributeLines`, or the model's own cap). */
  attributeLines: boolean;
  /** Findings past `maxFindings` (a row says how many). */
  findings: boolean;
}

export interface RenderedSection {
  text: string;
  /** Everything the stack has was shown (nothing cut). */
  complete: boolean;
  cut: SectionCuts;
}

/**
 * The section for `r` within `allowance`, or undefined when not even the minimal form fits.
 * With attributes if everything fits; otherwise whichever of "with attributes" and
 * "headers only" shows more resources.
 */
export function renderStackSection(
  r: StackResult,
  allowance: number,
  o: SectionOptions,
): RenderedSection | undefined {
  const full = renderWith(r, allowance, o, o.detail);
  let best = full;
  if (full.shown < full.total && o.detail.attributeLines > 0) {
    const headers = renderWith(r, allowance, o, { ...o.detail, attributeLines: 0 });
    if (headers.shown > full.shown) best = headers;
  }
  const complete = (c: SectionCuts) => !c.size && !c.attributeLines && !c.findings;
  if (o.measure(best.out) <= allowance) {
    return { text: best.out, complete: complete(best.cut), cut: best.cut };
  }
  const small = minimal(r, o);
  const cut = { size: true, attributeLines: false, findings: false };
  return o.measure(small) <= allowance ? { text: small, complete: false, cut } : undefined;
}
