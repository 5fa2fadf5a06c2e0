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
  const sorted = [...o.results].sort((a, b) => a.stack.id.localeCompare(b.stack.id));
  const items = sorted.map((r) => ({
    name: checkName(r.stack),
    conclusion: conclusionOf(r),
    title: titleOf(r),
    url: r.links.summary ?? r.links.run ?? o.runUrl,
    // Apply reads it back: the reviewed bundle's hash, anchored outside the team bucket.
    bundleSha256: r.bundleSha256,
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
  const agg = aggregateOf(o.results);
  items.push({
    name: AGGREGATE_CHECK,
    conclusion: agg.conclusion,
    title: agg.title,
    url: o.runUrl,
    bundleSha256: undefined,
    summary: () =>
      renderPlanReport(o.results, {
        budget: CHECK_RUN_TEXT_LIMIT,
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
    `published ${published.length} ${o.mode === 'check-runs' ? 'check runs' : 'commit statuses'} on ${o.headSha}`,
  );
  return published;
}
