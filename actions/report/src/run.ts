/**
 * The report step's logic, with everything it touches passed in: results from the plan (or
 * apply, or drift) jobs → sticky PR comment, checks, drift issues and the job summary.
 * main.ts reads the inputs and env; nothing here reads @actions/core.
 */
import type { GitHubClient, Logger } from '../../../src/github/client.ts';
import { renderApplyReport } from '../../../src/report/apply-report.ts';
import { bytes, SUMMARY_BUDGET } from '../../../src/report/budget.ts';
import { type ChecksMode, publishChecks } from '../../../src/report/checks.ts';
import { DRIFT_LABEL, isDrifted, syncDriftIssues } from '../../../src/report/drift-issues.ts';
import { APPLY_MARKER, PLAN_MARKER } from '../../../src/report/markers.ts';
import { renderPlanReport } from '../../../src/report/plan-report.ts';
import { loadApplyResults, loadStackResults, type StackResult } from '../../../src/report/results.ts';
import { type RepoRef, type StickyResult, upsertStickyComment } from '../../../src/report/sticky-comment.ts';
import { UsageError } from '../../../src/util/errors.ts';

export type ReportMode = 'plan' | 'apply' | 'drift';

export interface ReportInputs {
  mode: ReportMode;
  resultsDir: string;
  /** PR number; default: from the event (plan), or the PR merged as the pushed commit (apply). */
  pullRequest?: number;
  /** Commit the checks go on; default: the PR head from the event, else GITHUB_SHA. */
  headSha?: string;
  checks: ChecksMode;
  comment: boolean;
  driftLabel: string;
  /** Fail the step when any stack has one of these results. */
  failOn: ('error' | 'denied')[];
}

export interface ReportContext {
  repo: RepoRef;
  /** https://github.com/OWNER/REPO/actions/runs/ID */
  runUrl?: string;
  eventName: string;
  event: Record<string, unknown>;
  /** GITHUB_SHA */
  sha?: string;
  now?: () => Date;
}

export interface ReportRun {
  outputs: Record<string, string>;
  /** Markdown for GITHUB_STEP_SUMMARY (≤ 1 MiB). */
  summary: string;
  warnings: string[];
  /** Set when the step should fail (fail-on), with the reason. */
  failure?: string;
}

const MODES: ReportMode[] = ['plan', 'apply', 'drift'];
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
  if (!raw['results-dir'])
    throw new UsageError(
      'input results-dir is required',
      'download the plan jobs’ result artifacts into a folder and pass it',
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
    resultsDir: raw['results-dir'],
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

function counts(results: StackResult[]) {
  const n = (s: StackResult['status']) => results.filter((r) => r.status === s).length;
  return {
    stacks: results.length,
    changes: n('changes') + n('denied'),
    denied: n('denied'),
    errors: n('error'),
  };
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
  const pr = i.pullRequest ?? fromEvent.number;
  const headSha = i.headSha ?? fromEvent.headSha ?? ctx.sha;
  const links = ctx.runUrl ? { run: ctx.runUrl, summary: ctx.runUrl } : {};
  const summary = renderPlanReport(results, {
    budget: SUMMARY_BUDGET,
    measure: bytes,
    marker: '',
    elsewhere: '',
    attributeLines: 200,
    valueChars: 1000,
    ...(headSha ? { commitSha: headSha } : {}),
    links,
  });
  let comment: StickyResult | undefined;
  if (i.comment && pr) {
    const body = renderPlanReport(results, {
      marker: PLAN_MARKER,
      ...(headSha ? { commitSha: headSha } : {}),
      links,
    });
    const current = headSha
      ? (await gh.rest.rest.pulls.get({ ...ctx.repo, pull_number: pr })).data.head.sha
      : undefined;
    if (current && headSha && current !== headSha) {
      warnings.push(
        `PR #${pr} has moved on to ${current.slice(0, 12)}; this run planned ${headSha.slice(0, 12)}, so it leaves the comment to the newer run`,
      );
    } else {
      comment = await upsertStickyComment(gh, { repo: ctx.repo, number: pr, marker: PLAN_MARKER, body, log });
      log.info(`${comment.action} the plan comment on PR #${pr}: ${comment.url}`);
    }
  } else if (i.comment) {
    warnings.push(
      'no pull request in this event and no pull-request input: the report is only in the job summary',
    );
  }
  if (headSha && i.checks !== 'off') {
    await publishChecks(gh, {
      repo: ctx.repo,
      headSha,
      results,
      mode: i.checks,
      ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
      log,
    });
  }
  const c = counts(results);
  const conclusion = c.errors ? 'error' : c.denied ? 'denied' : c.changes ? 'changes' : 'no-changes';
  const failing = i.failOn.filter((f) => (f === 'error' ? c.errors : c.denied) > 0);
  return {
    outputs: {
      stacks: String(c.stacks),
      changes: String(c.changes),
      denied: String(c.denied),
      errors: String(c.errors),
      conclusion,
      'comment-id': comment ? String(comment.id) : '',
      'comment-url': comment?.url ?? '',
    },
    summary,
    warnings,
    ...(failing.length
      ? {
          failure: `${failing.map((f) => (f === 'error' ? `${c.errors} stack(s) failed to plan` : `${c.denied} stack(s) denied by policy`)).join(' and ')}; see the report`,
        }
      : {}),
  };
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
  const pr = i.pullRequest ?? (sha ? await mergedPull(gh, ctx.repo, sha) : undefined);
  let comment: StickyResult | undefined;
  if (i.comment && pr) {
    const body = renderApplyReport(results, { ...common, marker: APPLY_MARKER });
    comment = await upsertStickyComment(gh, { repo: ctx.repo, number: pr, marker: APPLY_MARKER, body, log });
    log.info(`${comment.action} the apply comment on PR #${pr}: ${comment.url}`);
  } else if (i.comment) {
    warnings.push(
      `commit ${sha ?? '?'} is not the merge commit of a pull request: the apply report is only in the job summary`,
    );
  }
  const failed = results.filter((r) => r.status === 'failed' || r.status === 'stale');
  return {
    outputs: {
      stacks: String(results.length),
      applied: String(results.filter((r) => r.status === 'applied').length),
      failed: String(failed.length),
      conclusion: failed.length ? 'failed' : 'applied',
      'comment-id': comment ? String(comment.id) : '',
      'comment-url': comment?.url ?? '',
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
    default:
      return planMode(gh, inputs, ctx, log);
  }
}
