/**
 * After merge: what the apply did, per stack, posted on the merged PR as its own sticky
 * comment (a separate marker from the plan report, so both stay). Failures first, with
 * their error; every row links to its run.
 */
import { changeSummary } from '../plan/model.ts';
import { COMMENT_BUDGET, chars, fitPieces, type Measure } from './budget.ts';
import { code, fence, fenceBody, link, text } from './escape.ts';
import { APPLY_MARKER } from './markers.ts';
import type { ApplyResult } from './results.ts';

const ICON: Record<ApplyResult['status'], string> = {
  applied: '✅',
  'no-changes': '✅',
  failed: '❌',
  stale: '⚠️',
  skipped: '⏭️',
};

const LABEL: Record<ApplyResult['status'], string> = {
  applied: 'applied',
  'no-changes': 'no changes',
  failed: 'failed',
  stale: 'plan is stale: re-plan',
  skipped: 'skipped',
};

const ORDER: Record<ApplyResult['status'], number> = {
  failed: 0,
  stale: 1,
  skipped: 2,
  applied: 3,
  'no-changes': 4,
};

function resultCell(r: ApplyResult): string {
  const counts = r.status === 'applied' && r.model ? ` ${code(changeSummary(r.model.counts))}` : '';
  return `${ICON[r.status]} ${LABEL[r.status]}${counts}`;
}

export interface ApplyReportOptions {
  budget?: number;
  measure?: Measure;
  marker?: string;
  commitSha?: string;
  links?: { run?: string; summary?: string };
  elsewhere?: string;
}

export function renderApplyReport(input: ApplyResult[], o: ApplyReportOptions = {}): string {
  const m = o.measure ?? chars;
  const budget = o.budget ?? COMMENT_BUDGET;
  const elsewhere = o.elsewhere === undefined ? ' in the job summary' : o.elsewhere ? ` ${o.elsewhere}` : '';
  const results = [...input].sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || a.stack.id.localeCompare(b.stack.id),
  );
  const n = (s: ApplyResult['status']) => results.filter((r) => r.status === s).length;
  const bad = n('failed') + n('stale');
  const facts = [
    `${n('applied')} applied`,
    ...(n('no-changes') ? [`${n('no-changes')} without changes`] : []),
  ];
  if (n('failed')) facts.push(`${n('failed')} failed`);
  if (n('stale')) facts.push(`${n('stale')} stale`);
  if (n('skipped')) facts.push(`${n('skipped')} skipped`);
  const head = [
    ...(o.marker === '' ? [] : [o.marker ?? APPLY_MARKER]),
    `### ${bad ? '❌' : '✅'} idlc apply: ${facts.join(' · ')}`,
    [
      o.commitSha ? `merge commit ${code(o.commitSha.slice(0, 12))}` : '',
      link('workflow run', o.links?.run),
      link('job summary', o.links?.summary),
    ]
      .filter(Boolean)
      .join(' · '),
    ...(bad
      ? [
          `> [!CAUTION]\n> ${bad === 1 ? 'One stack was' : `${bad} stacks were`} not applied. Main now differs from the infrastructure: fix and re-run the apply, or open a PR that re-plans.`,
        ]
      : []),
  ]
    .filter(Boolean)
    .join('\n\n');

  const rows = results.map((r) => {
    const links =
      [link('run', r.links.run), link('summary', r.links.summary)].filter(Boolean).join(' · ') || '—';
    return `| ${code(r.stack.team)} | ${code(r.stack.env)} | ${code(r.stack.name || r.stack.id)} | ${resultCell(r)} | ${links} |`;
  });
  const tableHead = '| Team | Env | Stack | Result | Details |\n|---|---|---|---|---|';
  let left = budget - m(head) - 2;
  const table = fitPieces(
    [tableHead, ...rows],
    Math.floor(left * 0.6),
    m,
    (k) => `\n… ${k} more stacks${elsewhere}.`,
  );
  left -= m(table.text) + 2;
  const failures = results
    .filter((r) => r.error)
    .map(
      (r) =>
        `<details><summary>${ICON[r.status]} ${code(r.stack.id)} · ${text(LABEL[r.status])}</summary>\n\n${fence(fenceBody(r.error?.split('\n').slice(0, 60) ?? []))}\n\n</details>`,
    );
  const details = fitPieces(failures, left - 2, m, (k) => `… ${k} more failures${elsewhere}.`, '\n\n');
  return [head, table.text, details.text].filter(Boolean).join('\n\n');
}
