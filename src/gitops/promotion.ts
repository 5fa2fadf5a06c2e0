/**
 * Carrying out a promotion. Unprotected targets (dev) get a direct commit through the same
 * compare-and-swap path as gitops-update. Protected targets only change by pull request: a
 * commit on `promote/<team>/<app>/<to>` (branched from the default branch head), a PR whose
 * body tables old → new with links to where each value was read, the team's owners asked for
 * review. An older open PR for the same target is closed and points at its replacement, so
 * an approval given to old content never carries over to new content.
 */
import type { Registry } from '../config/schema.ts';
import type { GitHubClient, Logger } from '../github/client.ts';
import { code, escapeTableCell } from '../report/escape.ts';
import { appDir } from '../sdlc/layout.ts';
import { UsageError } from '../util/errors.ts';
import { commitWithRetry, type RetryPolicy } from './commit.ts';
import { deployMessage } from './message.ts';
import {
  type PromotionChange,
  type PromotionPlan,
  type PromotionRequest,
  planPromotion,
  verifyPromotion,
} from './promote.ts';
import type { CreatedCommit, RepoApi } from './repo-api.ts';

export interface PromotionLinks {
  /** https://github.com */
  server: string;
  owner: string;
  repo: string;
  /** The workflow run doing this, for the PR body. */
  runUrl?: string;
  actor?: string;
}

export interface PromotionOutcome {
  mode: 'commit' | 'pull-request' | 'none';
  plan: PromotionPlan;
  commit?: CreatedCommit;
  pullRequest?: { number: number; url: string };
  /** The open PR this one replaced. */
  replaced?: number;
  warnings: string[];
  /** Commit the promotion was computed on. */
  base: string;
}

export function promotionBranch(r: PromotionRequest): string {
  return `promote/${r.team}/${r.app}/${r.to}`;
}

export function promotionTitle(r: PromotionRequest): string {
  return `chore(deploy): promote ${r.team}/${r.app === 'all' ? '*' : r.app} ${r.from} -> ${r.to}`;
}

const MARKER = (r: PromotionRequest) => `<!-- idlc:promotion ${r.team}/${r.app}/${r.to} -->`;

export function promotionBody(o: {
  request: PromotionRequest;
  plan: PromotionPlan;
  base: string;
  links: PromotionLinks;
  gate?: string[];
  replaces?: number;
}): string {
  const { request: r, plan, links } = o;
  const web = `${links.server}/${links.owner}/${links.repo}`;
  const blob = (c: PromotionChange) => `${web}/blob/${o.base}/${c.source.file}#L${c.source.line}`;
  const rows = plan.changes.map(
    (c) =>
      `| ${escapeTableCell(`${c.team}/${c.app}`)} | ${escapeTableCell(c.pin)} | ${code(c.old)} | ${code(c.new)} | [${r.from}](${blob(c)}) |`,
  );
  const lines = [
    `Promotes **${r.team}/${r.app === 'all' ? 'every app' : r.app}** from **${r.from}** to **${r.to}**: the pins below are copied from what is pinned in ${r.from} at [${o.base.slice(0, 7)}](${web}/commit/${o.base}).`,
    '',
    `| app | pin | ${r.to} now (old) | after merge (new) | source |`,
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
  if (plan.held.length) {
    lines.push('', `Held in ${r.to} (left alone): ${plan.held.map((h) => `${h.ref.app}`).join(', ')}.`);
  }
  if (plan.skipped.length) lines.push('', `Skipped: ${plan.skipped.join('; ')}.`);
  if (o.gate?.length) lines.push('', 'Argo CD gate:', ...o.gate.map((g) => `- ${g}`));
  lines.push('');
  if (o.replaces) lines.push(`Replaces #${o.replaces}.`);
  if (links.runUrl)
    lines.push(`Opened by ${links.actor ? `@${links.actor} through ` : ''}[idlc promote](${links.runUrl}).`);
  lines.push('', MARKER(r));
  return lines.join('\n');
}

/** `@org/team` owners of the same organization → team slugs for review requests. */
export function ownerTeamSlugs(owners: string[], org: string): { slugs: string[]; foreign: string[] } {
  const slugs: string[] = [];
  const foreign: string[] = [];
  for (const o of owners) {
    const m = /^@([\w.-]+)\/([\w.-]+)$/.exec(o);
    if (m && m[1]?.toLowerCase() === org.toLowerCase()) slugs.push(m[2] as string);
    else foreign.push(o);
  }
  return { slugs, foreign };
}

export async function promote(o: {
  registry: Registry;
  request: PromotionRequest;
  apps: string[];
  api: RepoApi;
  gh: Pick<GitHubClient, 'rest'>;
  baseBranch: string;
  links: PromotionLinks;
  /** Extra check before anything is written (the Argo CD gate); returns lines for the PR body. */
  gate?: (head: string) => Promise<string[]>;
  dryRun?: boolean;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
}): Promise<PromotionOutcome> {
  const r = o.request;
  verifyPromotion(o.registry, r);
  const target = o.registry.environments.find((e) => e.name === r.to);
  const warnings: string[] = [];
  const plan = async (head: string) =>
    planPromotion({ request: r, apps: o.apps, read: (paths) => o.api.readFiles(head, paths) });

  if (!target?.protected) {
    let last: PromotionPlan | undefined;
    let gateLines: string[] = [];
    if (o.dryRun) {
      const head = await mustHead(o.api, o.baseBranch);
      return { mode: 'none', plan: await plan(head), warnings, base: head };
    }
    const outcome = await commitWithRetry({
      api: o.api,
      branch: o.baseBranch,
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.log ? { log: o.log } : {}),
      compute: async (_read, head) => {
        last = await plan(head);
        if (last.additions.length === 0) return null;
        if (o.gate) gateLines = await o.gate(head);
        const msg = deployMessage(last.changes, {
          reason: `promote ${r.from} -> ${r.to}${gateLines.length ? ` (${gateLines.join('; ')})` : ''}`,
        });
        return { additions: last.additions, ...msg };
      },
    });
    return {
      mode: outcome.changed ? 'commit' : 'none',
      plan: last ?? (await plan(outcome.base)),
      ...(outcome.commit ? { commit: outcome.commit } : {}),
      warnings,
      base: outcome.base,
    };
  }

  // protected: only by pull request
  const head = await mustHead(o.api, o.baseBranch);
  const planned = await plan(head);
  const branch = promotionBranch(r);
  const { owner, repo } = o.links;
  const open = (
    await o.gh.rest.paginate(o.gh.rest.rest.pulls.list, {
      owner,
      repo,
      state: 'open',
      head: `${owner}:${branch}`,
      per_page: 100,
    })
  ).filter((p) => p.head.ref === branch);
  if (o.dryRun) return { mode: 'none', plan: planned, warnings, base: head };
  if (planned.additions.length === 0) {
    for (const p of open) {
      await o.gh.rest.rest.issues.createComment({
        owner,
        repo,
        issue_number: p.number,
        body: `Closed by idlc promote: ${r.to} already has every pin of ${r.from}${o.links.runUrl ? ` ([run](${o.links.runUrl}))` : ''}.`,
      });
      await o.gh.rest.rest.pulls.update({ owner, repo, pull_number: p.number, state: 'closed' });
    }
    return { mode: 'none', plan: planned, warnings, base: head };
  }
  const gateLines = o.gate ? await o.gate(head) : [];
  // close the stale PR first: GitHub allows one open PR per head branch and base
  for (const p of open)
    await o.gh.rest.rest.pulls.update({ owner, repo, pull_number: p.number, state: 'closed' });
  const existing = await o.gh.rest.rest.git
    .getRef({ owner, repo, ref: `heads/${branch}` })
    .catch((err: { status?: number }) => {
      if (err.status === 404) return undefined;
      throw err;
    });
  if (existing)
    await o.gh.rest.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: head, force: true });
  else await o.gh.rest.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: head });
  const msg = deployMessage(planned.changes, { reason: `promote ${r.from} -> ${r.to}` });
  const commit = await o.api.createCommit({
    branch,
    expectedHeadOid: head,
    additions: planned.additions,
    ...msg,
  });
  const replaced = open[0]?.number;
  const pr = await o.gh.rest.rest.pulls.create({
    owner,
    repo,
    base: o.baseBranch,
    head: branch,
    title: promotionTitle(r),
    body: promotionBody({
      request: r,
      plan: planned,
      base: head,
      links: o.links,
      gate: gateLines,
      ...(replaced ? { replaces: replaced } : {}),
    }),
    maintainer_can_modify: false,
  });
  const team = o.registry.teams[r.team];
  const { slugs, foreign } = ownerTeamSlugs(team?.owners ?? [], owner);
  if (foreign.length)
    warnings.push(`owners ${foreign.join(', ')} are not teams of ${owner}: not requested as reviewers`);
  if (slugs.length) {
    try {
      await o.gh.rest.rest.pulls.requestReviewers({
        owner,
        repo,
        pull_number: pr.data.number,
        team_reviewers: slugs,
      });
    } catch (err) {
      warnings.push(
        `could not request reviews from ${slugs.map((s) => `@${owner}/${s}`).join(', ')} on #${pr.data.number}: ${(err as Error).message}; give the team access to the repository`,
      );
    }
  }
  for (const p of open) {
    await o.gh.rest.rest.issues.createComment({
      owner,
      repo,
      issue_number: p.number,
      body: `Superseded by #${pr.data.number}: a newer promotion of ${r.team}/${r.app} to ${r.to} (approvals do not carry over).`,
    });
  }
  return {
    mode: 'pull-request',
    plan: planned,
    commit,
    pullRequest: { number: pr.data.number, url: pr.data.html_url },
    ...(replaced ? { replaced } : {}),
    warnings,
    base: head,
  };
}

async function mustHead(api: RepoApi, branch: string): Promise<string> {
  const head = await api.headOid(branch);
  if (!head) throw new UsageError(`branch ${branch} does not exist`, 'promote from the default branch');
  return head;
}

/** App folders to consider for "all": those of the target env in the checkout. */
export function describeApps(r: PromotionRequest): string {
  return r.app === 'all'
    ? `${appDir({ team: r.team, env: r.to, app: '*' })}`
    : appDir({ team: r.team, env: r.to, app: r.app });
}
