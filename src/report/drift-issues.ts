/**
 * Drift: one open issue per drifted stack, found again by the marker in its body. The
 * scheduled drift run opens it, rewrites it on every run while the drift persists, and
 * closes it (with a comment saying which run found the stack clean) once it is gone.
 * Stacks that failed to plan are left alone: a failure says nothing about drift.
 */
import type { GitHubClient, Logger } from '../github/client.ts';
import { silentLogger } from '../github/client.ts';
import { COMMENT_BUDGET, chars } from './budget.ts';
import { link, text } from './escape.ts';
import { driftMarker, driftStackOf } from './markers.ts';
import type { StackResult } from './results.ts';
import { renderStackSection } from './stack-section.ts';
import type { RepoRef } from './sticky-comment.ts';

export const DRIFT_LABEL = 'idlc-drift';

/** The login the workflow token (GITHUB_TOKEN) writes as. */
export const ACTIONS_BOT = 'github-actions[bot]';

/**
 * The login our drift issues are authored by: the GitHub App's bot (`<slug>[bot]`) when the
 * report runs with the idlc App's token, else the workflow token's `github-actions[bot]`.
 */
export function driftIssueAuthor(appSlug?: string): string {
  return appSlug ? `${appSlug}[bot]` : ACTIONS_BOT;
}

export function isDrifted(r: StackResult): boolean {
  return (
    (r.status === 'changes' || r.status === 'denied') && Boolean(r.model?.drift.length || r.model?.hasChanges)
  );
}

export function driftTitle(r: StackResult): string {
  return `Drift: ${r.stack.id} differs from main`;
}

export function renderDriftIssue(r: StackResult, o: { runUrl?: string; checkedAt?: string } = {}): string {
  const head = [
    driftMarker(r.stack.id),
    `### Drift in ${text(r.stack.id)}`,
    [
      `The scheduled plan of ${text(r.stack.dir || r.stack.id)} (team ${text(r.stack.team)}, env ${text(r.stack.env)}) does not match the configuration on the default branch.`,
      r.model?.drift.length
        ? ` ${r.model.drift.length} resource${r.model.drift.length === 1 ? ' was' : 's were'} changed outside OpenTofu.`
        : '',
      ' Either apply main again (re-run the apply for this stack) or bring the change into the code with a PR.',
      ' This issue is updated on every drift run and closed when the stack is clean again.',
    ].join(''),
    [o.checkedAt ? `Last checked ${text(o.checkedAt)}` : 'Last checked', link('in this run', o.runUrl)]
      .filter(Boolean)
      .join(' '),
  ].join('\n\n');
  const budget = COMMENT_BUDGET - chars(head) - 2;
  const section =
    renderStackSection(r, budget, {
      measure: chars,
      detail: { attributeLines: 40, valueChars: 300 },
      maxFindings: 20,
      findings: 'table',
      links: true,
      elsewhere: ' in the run’s job summary',
    })?.text ?? '';
  // keep the details open: the issue exists to show them
  return `${head}\n\n${section.replace(/^<details>/, '<details open>')}`;
}

export interface DriftSyncOptions {
  repo: RepoRef;
  results: StackResult[];
  label?: string;
  /**
   * Login of the token's own identity (driftIssueAuthor()): only open issues it authored are
   * ours. Anyone can open an issue with the label and a copy of the marker; such an issue is
   * never updated or closed. Default: github-actions[bot].
   */
  author?: string;
  runUrl?: string;
  checkedAt?: string;
  log?: Logger;
}

export interface DriftSyncResult {
  opened: { stack: string; number: number }[];
  updated: { stack: string; number: number }[];
  closed: { stack: string; number: number }[];
  /** Stacks whose plan failed (their issue, if any, is left as it is). */
  skipped: string[];
}

interface OpenIssue {
  number: number;
  body?: string | null;
  pull_request?: unknown;
  user?: { login?: string } | null;
}

export async function syncDriftIssues(gh: GitHubClient, o: DriftSyncOptions): Promise<DriftSyncResult> {
  const log = o.log ?? silentLogger;
  const label = o.label ?? DRIFT_LABEL;
  const author = o.author ?? ACTIONS_BOT;
  const open = (await gh.rest.paginate(gh.rest.rest.issues.listForRepo, {
    ...o.repo,
    state: 'open',
    labels: label,
    creator: author,
    per_page: 100,
  })) as OpenIssue[];
  const byStack = new Map<string, OpenIssue>();
  for (const issue of open) {
    if (issue.pull_request) continue;
    // checked here too: the marker and the label are public, the author is not forgeable
    if (issue.user?.login !== author) continue;
    const stack = driftStackOf(issue.body);
    if (stack && !byStack.has(stack)) byStack.set(stack, issue);
  }
  const out: DriftSyncResult = { opened: [], updated: [], closed: [], skipped: [] };
  for (const r of [...o.results].sort((a, b) => a.stack.id.localeCompare(b.stack.id))) {
    const existing = byStack.get(r.stack.id);
    if (r.status === 'error' || !r.model) {
      out.skipped.push(r.stack.id);
      log.warning(
        `${r.stack.id}: the drift plan failed, so drift is unknown; its issue (if any) is left open`,
      );
      continue;
    }
    if (isDrifted(r)) {
      const body = renderDriftIssue(r, { runUrl: o.runUrl, checkedAt: o.checkedAt });
      if (existing) {
        if (existing.body !== body) {
          await gh.rest.rest.issues.update({
            ...o.repo,
            issue_number: existing.number,
            body,
            title: driftTitle(r),
          });
        }
        out.updated.push({ stack: r.stack.id, number: existing.number });
      } else {
        const res = await gh.rest.rest.issues.create({
          ...o.repo,
          title: driftTitle(r),
          body,
          labels: [label],
        });
        out.opened.push({ stack: r.stack.id, number: res.data.number });
        log.info(`${r.stack.id}: drift found, opened #${res.data.number}`);
      }
    } else if (existing) {
      await gh.rest.rest.issues.createComment({
        ...o.repo,
        issue_number: existing.number,
        body: `No drift any more: the plan of ${text(r.stack.id)} matches the configuration${o.runUrl ? ` (${link('run', o.runUrl)})` : ''}. Closing.`,
      });
      await gh.rest.rest.issues.update({
        ...o.repo,
        issue_number: existing.number,
        state: 'closed',
        state_reason: 'completed',
      });
      out.closed.push({ stack: r.stack.id, number: existing.number });
      log.info(`${r.stack.id}: drift cleared, closed #${existing.number}`);
    }
  }
  return out;
}
