import type { GitHubClient, Logger } from '../../../src/github/client.ts';
import { bytes, SUMMARY_BUDGET } from '../../../src/report/budget.ts';
import { publishChecks } from '../../../src/report/checks.ts';
import { PLAN_MARKER } from '../../../src/report/markers.ts';
import { renderPlanReport } from '../../../src/report/plan-report.ts';
import type { StackResult } from '../../../src/report/results.ts';
import { type StickyResult, upsertStickyComment } from '../../../src/report/sticky-comment.ts';
import type { ReportContext, ReportInputs, ReportRun } from './types.ts';

function counts(results: StackResult[]) {
  const n = (s: StackResult['status']) => results.filter((r) => r.status === s).length;
  return {
    stacks: results.length,
    changes: n('changes') + n('denied'),
    denied: n('denied'),
    errors: n('error'),
  };
}

export interface PlanPublication {
  results: StackResult[];
  warnings: string[];
  pr?: number;
  headSha?: string;
  links: { run?: string; summary?: string };
  /** Markdown notices already escaped (see plan-report `notes`). */
  notes: string[];
}

/** The comment, the checks and the summary for plan results (plan and plan-run modes). */
export async function publishPlan(
  gh: GitHubClient,
  i: ReportInputs,
  ctx: ReportContext,
  log: Logger,
  p: PlanPublication,
): Promise<ReportRun> {
  const { results, warnings, pr, headSha, links, notes } = p;
  const summary = renderPlanReport(results, {
    budget: SUMMARY_BUDGET,
    measure: bytes,
    marker: '',
    elsewhere: '',
    attributeLines: 200,
    valueChars: 1000,
    ...(headSha ? { commitSha: headSha } : {}),
    links,
    notes,
  });
  let comment: StickyResult | undefined;
  if (i.comment && pr) {
    const body = renderPlanReport(results, {
      marker: PLAN_MARKER,
      ...(headSha ? { commitSha: headSha } : {}),
      links,
      notes,
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
