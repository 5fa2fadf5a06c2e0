import type { GitHubClient, Logger } from '../../../src/github/client.ts';
import { renderApplyReport } from '../../../src/report/apply-report.ts';
import { bytes, SUMMARY_BUDGET } from '../../../src/report/budget.ts';
import type { ChecksMode } from '../../../src/report/checks.ts';
import { DRIFT_LABEL, isDrifted, syncDriftIssues } from '../../../src/report/drift-issues.ts';
import { APPLY_MARKER } from '../../../src/report/markers.ts';
import { renderPlanReport } from '../../../src/report/plan-report.ts';
import { loadApplyResults, loadStackResults } from '../../../src/report/results.ts';
import { type RepoRef, type StickyResult, upsertStickyComment } from '../../../src/report/sticky-comment.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { planRunMode } from './plan-run.ts';
import { publishPlan } from './publish-plan.ts';
import type { ReportContext, ReportInputs, ReportMode, ReportRun } from './types.ts';

export type { ReportContext, ReportInputs, ReportMode, ReportRun } from './types.ts';

const MODES: ReportMode[] = ['plan', 'plan-run', 'apply', 'drift'];
const CHECK_MODES: ChecksMode[] = ['check-runs', 'statuses', 'off'];

/** Validate the raw input strings (main.ts passes them as read). */
export function parseInputs(raw: Record<string, string>): ReportInputs {
  const mode = (raw['mode'] || 'plan') as ReportMode;
  if (!MODES.includes(mode))
    throw new UsageError(
      `input mode: "${raw['mode']}" is not one of ${MODES.join(', ')}`,
      'use mode: plan (PRs), apply (after merge) or drift (schedule)',
    );
  const checks = (raw['checks'] || 'check-runs') as ChecksMode;
  if (!CHECK_MODES.includes(checks)) {
    throw new UsageError(
      `input checks: "${raw['checks']}" is not one of ${CHECK_MODES.join(', ')}`,
      'use check-runs (needs checks: write), statuses (statuses: write) or off',
    );
  }
  if (!raw['results-dir'] && mode !== 'plan-run')
    throw new UsageError(
      `input results-dir is required in ${mode} mode`,
      'download the jobs’ result artifacts into a folder and pass it (plan-run mode reads them itself)',
    );
  const pr = raw['pull-request'] ? Number(raw['pull-request']) : undefined;
  if (pr !== undefined && !(Number.isInteger(pr) && pr > 0)) {
    throw new UsageError(`input pull-request: "${raw['pull-request']}" is not a pull request number`);
  }
  const failOn = (raw['fail-on'] ?? '').split(/[\s,]+/).filter(Boolean);
  for (const f of failOn) {
    if (f !== 'error' && f !== 'denied') throw new UsageError(`input fail-on: "${f}" is not error or denied`);
  }
  const comment = (raw['comment'] || 'true').toLowerCase();
  if (comment !== 'true' && comment !== 'false')
    throw new UsageError(`input comment: "${raw['comment']}" is not true or false`);
  return {
    mode,
    resultsDir: raw['results-dir'] ?? '',
    ...(pr ? { pullRequest: pr } : {}),
    ...(raw['head-sha'] ? { headSha: raw['head-sha'] } : {}),
    checks,
    comment: comment === 'true',
    driftLabel: raw['drift-label'] || DRIFT_LABEL,
    failOn: failOn as ReportInputs['failOn'],
  };
}

function eventPull(ctx: ReportContext): { number?: number; headSha?: string } {
  const pr = (ctx.event['pull_request'] ?? undefined) as
    | { number?: number; head?: { sha?: string } }
    | undefined;
  const number =
    pr?.number ?? (typeof ctx.event['number'] === 'number' ? (ctx.event['number'] as number) : undefined);
  return { ...(number ? { number } : {}), ...(pr?.head?.sha ? { headSha: pr.head.sha } : {}) };
}

async function planMode(
  gh: GitHubClient,
  i: ReportInputs,
  ctx: ReportContext,
  log: Logger,
): Promise<ReportRun> {
  const { results, warnings } = await loadStackResults(i.resultsDir);
  for (const w of warnings) log.warning(w);
  const fromEvent = eventPull(ctx);
  return publishPlan(gh, i, ctx, log, {
    results,
    warnings,
    pr: i.pullRequest ?? fromEvent.number,
    headSha: i.headSha ?? fromEvent.headSha ?? ctx.sha,
    links: ctx.runUrl ? { run: ctx.runUrl, summary: ctx.runUrl } : {},
    notes: [],
  });
}

/** The PR merged as `sha` (apply runs on the push of the merge commit). */
async function mergedPull(gh: GitHubClient, repo: RepoRef, sha: string): Promise<number | undefined> {
  const res = await gh.rest.rest.repos.listPullRequestsAssociatedWithCommit({
    ...repo,
    commit_sha: sha,
    per_page: 100,
  });
  return res.data.find((p) => p.merged_at && p.merge_commit_sha === sha)?.number;
}

async function applyMode(
  gh: GitHubClient,
  i: ReportInputs,
  ctx: ReportContext,
  log: Logger,
): Promise<ReportRun> {
  const { results, warnings } = await loadApplyResults(i.resultsDir);
  for (const w of warnings) log.warning(w);
  const sha = i.headSha ?? ctx.sha;
  const links = ctx.runUrl ? { run: ctx.runUrl, summary: ctx.runUrl } : {};
  const common = { ...(sha ? { commitSha: sha } : {}), links };
  const summary = renderApplyReport(results, {
    ...common,
    budget: SUMMARY_BUDGET,
    measure: bytes,
    marker: '',
    elsewhere: '',
  });
  // One run may apply several merged PRs (it catches up on merges since the last successful
  // run): each PR gets the results of its own stacks.
  const byPr = new Map<number, typeof results>();
  for (const r of results) {
    const pr =
      i.pullRequest ?? r.pullRequest ?? (sha ? await mergedPull(gh, ctx.repo, r.mergeSha ?? sha) : undefined);
    if (!pr) continue;
    byPr.set(pr, [...(byPr.get(pr) ?? []), r]);
  }
  const comments: StickyResult[] = [];
  if (i.comment) {
    for (const [pr, own] of [...byPr].sort(([a], [b]) => a - b)) {
      const body = renderApplyReport(own, { ...common, marker: APPLY_MARKER });
      const comment = await upsertStickyComment(gh, {
        repo: ctx.repo,
        number: pr,
        marker: APPLY_MARKER,
        body,
        log,
      });
      log.info(`${comment.action} the apply comment on PR #${pr}: ${comment.url}`);
      comments.push(comment);
    }
    const orphans = results.filter((r) => ![...byPr.values()].some((list) => list.includes(r)));
    if (orphans.length > 0) {
      warnings.push(
        `${orphans.map((r) => r.stack.id).join(', ')}: no merged pull request to report on; the apply report is only in the job summary`,
      );
    }
  }
  const failed = results.filter((r) => r.status === 'failed' || r.status === 'stale');
  return {
    outputs: {
      stacks: String(new Set(results.map((r) => r.stack.id)).size),
      applied: String(results.filter((r) => r.status === 'applied').length),
      failed: String(failed.length),
      conclusion: failed.length ? 'failed' : 'applied',
      'comment-id': comments.map((c) => String(c.id)).join(','),
      'comment-url': comments[0]?.url ?? '',
    },
    summary,
    warnings,
    ...(failed.length && i.failOn.includes('error')
      ? { failure: `${failed.length} stack(s) were not applied: ${failed.map((r) => r.stack.id).join(', ')}` }
      : {}),
  };
}

async function driftMode(
  gh: GitHubClient,
  i: ReportInputs,
  ctx: ReportContext,
  log: Logger,
): Promise<ReportRun> {
  const { results, warnings } = await loadStackResults(i.resultsDir);
  for (const w of warnings) log.warning(w);
  const sync = await syncDriftIssues(gh, {
    repo: ctx.repo,
    results,
    label: i.driftLabel,
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
    checkedAt: (ctx.now?.() ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z'),
    log,
  });
  const summary = renderPlanReport(results, {
    title: 'idlc drift',
    budget: SUMMARY_BUDGET,
    measure: bytes,
    marker: '',
    elsewhere: '',
    ...(ctx.runUrl ? { links: { run: ctx.runUrl } } : {}),
  });
  const drifted = results.filter(isDrifted).length;
  return {
    outputs: {
      stacks: String(results.length),
      drifted: String(drifted),
      opened: sync.opened.map((x) => x.number).join(','),
      closed: sync.closed.map((x) => x.number).join(','),
      conclusion: drifted ? 'drift' : 'clean',
    },
    summary,
    warnings: [...warnings, ...sync.skipped.map((s) => `${s}: the drift plan failed; drift unknown`)],
  };
}

export async function runReport(
  gh: GitHubClient,
  inputs: ReportInputs,
  ctx: ReportContext,
  log: Logger,
): Promise<ReportRun> {
  switch (inputs.mode) {
    case 'apply':
      return applyMode(gh, inputs, ctx, log);
    case 'drift':
      return driftMode(gh, inputs, ctx, log);
    case 'plan-run':
      return planRunMode(gh, inputs, ctx, log);
    default:
      return planMode(gh, inputs, ctx, log);
  }
}
