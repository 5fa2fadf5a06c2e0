/**
 * Opening, closing and asking for reviews of pull requests, as GitHub answers them: a PR
 * needs an existing head branch that differs from its base, only one open PR per head and
 * base, and requested team reviewers must be teams of the organization. Requested reviewers
 * are kept per PR (`requestedReviewers`) so tests can read them back.
 */
import { type HandlerMap, notFound, type Reply, unprocessable, validationFailed } from './rest-kit.ts';
import type { Ctx } from './rest-objects.ts';
import * as obj from './rest-objects.ts';
import type { DoubleState, IssueRecord } from './state.ts';

export interface RequestedReviewers {
  users: string[];
  teams: string[];
}

const requested = new WeakMap<DoubleState, Map<number, RequestedReviewers>>();

/** Reviewers requested on a PR through the API (tests read them back). */
export function requestedReviewers(state: DoubleState, pr: number): RequestedReviewers {
  return requested.get(state)?.get(pr) ?? { users: [], teams: [] };
}

function pullOr404(ctx: Ctx, n: string | undefined): IssueRecord | undefined {
  const i = ctx.state.issues.get(Number(n));
  return i?.pull ? i : undefined;
}

/** `owner:branch` or `branch` → the branch name in this repository (forks are not modelled). */
function headBranch(ctx: Ctx, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon === -1) return head;
  return head.slice(0, colon) === ctx.state.owner ? head.slice(colon + 1) : undefined;
}

function withReviewers(ctx: Ctx, i: IssueRecord): Record<string, unknown> {
  const r = requestedReviewers(ctx.state, i.number);
  const body = obj.pullRequest(ctx, i) as Record<string, unknown>;
  return {
    ...body,
    requested_teams: r.teams.map((slug) => {
      const t = ctx.state.teams.get(slug);
      return {
        id: t?.id ?? 1,
        node_id: t?.nodeId ?? 'T_1',
        name: t?.name ?? slug,
        slug,
        description: null,
        privacy: 'closed',
        notification_setting: 'notifications_enabled',
        permission: 'pull',
        url: `${ctx.api}/orgs/${ctx.state.owner}/teams/${slug}`,
        html_url: `${ctx.web}/orgs/${ctx.state.owner}/teams/${slug}`,
        members_url: `${ctx.api}/orgs/${ctx.state.owner}/teams/${slug}/members{/member}`,
        repositories_url: `${ctx.api}/orgs/${ctx.state.owner}/teams/${slug}/repos`,
        type: 'organization',
        parent: null,
      };
    }),
  };
}

export const pullHandlers: HandlerMap = {
  'pulls/create': (req, ctx): Reply => {
    const b = req.body;
    const head = headBranch(ctx, String(b.head ?? ''));
    const base = String(b.base);
    const headSha = head ? ctx.state.refs.get(`heads/${head}`) : undefined;
    const baseSha = ctx.state.refs.get(`heads/${base}`);
    if (!head || !headSha) return validationFailed('PullRequest', 'head', 'invalid', 'invalid');
    if (!baseSha) return validationFailed('PullRequest', 'base', 'invalid', 'invalid');
    if (headSha === baseSha) {
      return validationFailed('PullRequest', 'base', `No commits between ${base} and ${head}`);
    }
    const open = [...ctx.state.issues.values()].find(
      (i) => i.state === 'open' && i.pull?.headRef === head && i.pull.baseRef === base,
    );
    if (open) {
      return validationFailed(
        'PullRequest',
        'head',
        `A pull request already exists for ${ctx.state.owner}:${head}.`,
      );
    }
    if (typeof b.title !== 'string' || b.title === '')
      return validationFailed('PullRequest', 'title', 'missing_field');
    const pr = ctx.state.addPullRequest({
      title: b.title,
      ...(b.body !== undefined && b.body !== null ? { body: String(b.body) } : {}),
      headRef: head,
      headSha,
      baseRef: base,
      user: ctx.identity.actor,
    });
    if (pr.pull) pr.pull.draft = Boolean(b.draft);
    return {
      status: 201,
      body: withReviewers(ctx, pr),
      headers: { location: `${ctx.api}/repos/${ctx.state.fullName}/pulls/${pr.number}` },
    };
  },

  'pulls/update': (req, ctx): Reply => {
    const pr = pullOr404(ctx, req.params['pull_number']);
    if (!pr?.pull) return notFound();
    const b = req.body ?? {};
    if (b.title !== undefined) pr.title = String(b.title);
    if (b.body !== undefined) pr.body = b.body;
    if (b.state && b.state !== pr.state) {
      if (pr.pull.merged) return unprocessable('Cannot change the state of a merged pull request.');
      pr.state = b.state;
      pr.closedAt = b.state === 'closed' ? ctx.state.now() : null;
    }
    pr.updatedAt = ctx.state.now();
    return { status: 200, body: withReviewers(ctx, pr) };
  },

  'pulls/request-reviewers': (req, ctx): Reply => {
    const pr = pullOr404(ctx, req.params['pull_number']);
    if (!pr?.pull) return notFound();
    const users: string[] = req.body?.reviewers ?? [];
    const teams: string[] = req.body?.team_reviewers ?? [];
    if (users.includes(pr.user.login)) {
      return unprocessable('Review cannot be requested from pull request author.');
    }
    const unknown = teams.find((t) => !ctx.state.teams.has(t));
    if (unknown) {
      return unprocessable(
        `Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the ${ctx.state.fullName} repository.`,
      );
    }
    const byPr = requested.get(ctx.state) ?? new Map<number, RequestedReviewers>();
    requested.set(ctx.state, byPr);
    const r = byPr.get(pr.number) ?? { users: [], teams: [] };
    byPr.set(pr.number, {
      users: [...new Set([...r.users, ...users])],
      teams: [...new Set([...r.teams, ...teams])],
    });
    return { status: 201, body: withReviewers(ctx, pr) };
  },
};
