/**
 * Per-stack checks on the PR head commit (`idlc/plan: <team>/<env>/<stack>`) and one
 * aggregate `idlc/plan` that branch protection can require. Check runs carry the stack's
 * section of the report as their summary; commit statuses (for tokens without checks:write)
 * carry a one-line description.
 */
import type { GitHubClient, Logger } from '../github/client.ts';
import { silentLogger } from '../github/client.ts';
import { CHECK_RUN_TEXT_LIMIT, chars } from './budget.ts';
import { renderPlanReport } from './plan-report.ts';
import type { StackRef, StackResult } from './results.ts';
import { renderStackSection, resultText } from './stack-section.ts';
import type { RepoRef } from './sticky-comment.ts';

export const AGGREGATE_CHECK = 'idlc/plan';
/**
 * Per-stack checks one report publishes at most: each is one REST request, and GITHUB_TOKEN has
 * 1,000 per hour per repository (docs/scaling.md). Past it, the stacks that need a look (failed,
 * denied, destroying, changing) get theirs first; the aggregate, the comment and the job summary
 * still cover every stack.
 */
export const STACK_CHECKS_LIMIT = 100;
/** GitHub refuses longer commit status descriptions. */
const STATUS_DESCRIPTION_MAX = 140;

export type ChecksMode = 'check-runs' | 'statuses' | 'off';

/**
 * `idlc/plan: search/dev` or `idlc/plan: platform/dev/network`; stacks outside AWS (the
 * default cloud) get the cloud appended, since a team may have the same env in two clouds.
 */
export function checkName(stack: StackRef): string {
  const cloud = stack.id.split('/')[0];
  const path = [stack.team, stack.env, ...(stack.name ? [stack.name] : [])].join('/');
  return `${AGGREGATE_CHECK}: ${path}${cloud && cloud !== 'aws' ? ` (${cloud})` : ''}`;
}

type Conclusion = 'success' | 'failure';

function conclusionOf(r: StackResult): Conclusion {
  return r.status === 'error' || r.status === 'denied' ? 'failure' : 'success';
}

/** Which stacks get a per-stack check first when there are more than the limit. */
function attention(r: StackResult): number {
  if (r.status === 'error' || r.status === 'denied') return 0;
  if (r.status === 'changes') return r.model?.destructive ? 1 : 2;
  return 3;
}

function titleOf(r: StackResult): string {
  if (r.status === 'error') return 'Plan failed';
  if (r.status === 'denied') {
    const n = r.policy?.findings.filter((f) => f.status === 'deny').length ?? 0;
    return `Denied by policy (${n} finding${n === 1 ? '' : 's'}): ${resultText({ ...r, status: 'changes' })}`;
  }
  if (r.status === 'no-changes') return 'No changes';
  return `${resultText(r)}${r.model?.destructive ? ' (destroys or replaces)' : ''}`;
}

function aggregateOf(results: StackResult[]): { conclusion: Conclusion; title: string } {
  const n = (s: StackResult['status']) => results.filter((r) => r.status === s).length;
  const failed = n('error') + n('denied');
  const bits = [`${results.length} stacks`, `${n('changes') + n('denied')} with changes`];
  if (n('denied')) bits.push(`${n('denied')} denied`);
  if (n('error')) bits.push(`${n('error')} failed`);
  return { conclusion: failed ? 'failure' : 'success', title: bits.join(', ') };
}

function clipDescription(s: string): string {
  return [...s].length <= STATUS_DESCRIPTION_MAX
    ? s
    : `${[...s].slice(0, STATUS_DESCRIPTION_MAX - 1).join('')}…`;
}

export interface PublishChecksOptions {
  repo: RepoRef;
  headSha: string;
  results: StackResult[];
  mode: ChecksMode;
  /** Where a check links when the stack has no links of its own (the workflow run). */
  runUrl?: string;
  /** Per-stack checks at most (default STACK_CHECKS_LIMIT); the aggregate is always published. */
  maxStackChecks?: number;
  log?: Logger;
}

export interface PublishedCheck {
  name: string;
  conclusion: Conclusion;
}

export async function publishChecks(gh: GitHubClient, o: PublishChecksOptions): Promise<PublishedCheck[]> {
  if (o.mode === 'off') return [];
  const log = o.log ?? silentLogger;
  const published: PublishedCheck[] = [];
  const limit = Math.max(0, o.maxStackChecks ?? STACK_CHECKS_LIMIT);
  const chosen = [...o.results]
    .sort((a, b) => attention(a) - attention(b) || a.stack.id.localeCompare(b.stack.id))
    .slice(0, limit)
    .sort((a, b) => a.stack.id.localeCompare(b.stack.id));
  const items = chosen.map((r) => ({
    name: checkName(r.stack),
    conclusion: conclusionOf(r),
    title: titleOf(r),
    url: r.links.summary ?? r.links.run ?? o.runUrl,
    summary: () =>
      renderStackSection(r, CHECK_RUN_TEXT_LIMIT, {
        measure: chars,
        detail: { attributeLines: 40, valueChars: 500 },
        maxFindings: 50,
        findings: 'table',
        links: true,
        elsewhere: ' in the job summary',
      })?.text ?? titleOf(r),
  }));
  const skipped = o.results.length - chosen.length;
  const note = skipped
    ? `Per-stack checks for ${chosen.length} of ${o.results.length} stacks (failed, denied, destroying and changing first): at most ${limit} per run keeps the API budget (docs/scaling.md). The ${skipped} others are in this summary, the PR comment and the job summary.\n\n`
    : '';
  const agg = aggregateOf(o.results);
  items.push({
    name: AGGREGATE_CHECK,
    conclusion: agg.conclusion,
    title: agg.title,
    url: o.runUrl,
    summary: () =>
      note +
      renderPlanReport(o.results, {
        budget: CHECK_RUN_TEXT_LIMIT - note.length,
        marker: '',
        ...(o.runUrl ? { links: { run: o.runUrl } } : {}),
      }),
  });
  for (const item of items) {
    if (o.mode === 'check-runs') {
      await gh.rest.rest.checks.create({
        ...o.repo,
        name: item.name,
        head_sha: o.headSha,
        status: 'completed',
        conclusion: item.conclusion,
        ...(item.url ? { details_url: item.url } : {}),
        output: { title: item.title, summary: item.summary() },
      });
    } else {
      await gh.rest.rest.repos.createCommitStatus({
        ...o.repo,
        sha: o.headSha,
        context: item.name,
        state: item.conclusion,
        description: clipDescription(item.title),
        ...(item.url ? { target_url: item.url } : {}),
      });
    }
    published.push({ name: item.name, conclusion: item.conclusion });
  }
  log.info(
    `published ${published.length} ${o.mode === 'check-runs' ? 'check runs' : 'commit statuses'} on ${o.headSha}${skipped ? ` (${skipped} stacks without their own: over the limit of ${limit})` : ''}`,
  );
  return published;
}
