/**
 * Who approved what, and who labelled what: pull request reviews (with the commit they were
 * given on), labels with their issue events (with the actor), and the organization's teams
 * and memberships (readable only with `members: read`, which a workflow token never has).
 */

import { type HandlerMap, notFound, page, type Reply, unprocessable } from './rest-kit.ts';
import type { Ctx } from './rest-objects.ts';
import { label, user } from './rest-objects.ts';
import type { IssueEventRecord, IssueRecord, ReviewRecord, TeamRecord } from './state.ts';

type Json = Record<string, unknown>;

const repoApi = (ctx: Ctx) => `${ctx.api}/repos/${ctx.state.fullName}`;

function review(ctx: Ctx, r: ReviewRecord): Json {
  const base = ctx.contract.example('pulls/get-review', 200) as Json;
  const html = `${ctx.web}/${ctx.state.fullName}/pull/${r.pullNumber}#pullrequestreview-${r.id}`;
  const pr = `${repoApi(ctx)}/pulls/${r.pullNumber}`;
  const out: Json = {
    ...base,
    id: r.id,
    node_id: r.nodeId,
    user: user(ctx, r.user),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: pr,
    _links: { html: { href: html }, pull_request: { href: pr } },
    commit_id: r.commitId,
    author_association: r.user.type === 'Bot' ? 'NONE' : 'MEMBER',
  };
  if (r.submittedAt) out['submitted_at'] = r.submittedAt;
  else delete out['submitted_at'];
  return out;
}

function issueEvent(ctx: Ctx, e: IssueEventRecord): Json {
  return {
    id: e.id,
    node_id: e.nodeId,
    url: `${repoApi(ctx)}/issues/events/${e.id}`,
    actor: user(ctx, e.actor),
    event: e.event,
    commit_id: null,
    commit_url: null,
    created_at: e.createdAt,
    performed_via_github_app: null,
    ...(e.label !== undefined ? { label: { name: e.label, color: 'ededed' } } : {}),
  };
}

export function team(ctx: Ctx, t: TeamRecord): Json {
  const base = ctx.contract.example('teams/get-by-name', 200) as Json;
  const org = ctx.state.owner;
  return {
    ...base,
    id: t.id,
    node_id: t.nodeId,
    url: `${ctx.api}/organizations/1/team/${t.id}`,
    html_url: `${ctx.web}/orgs/${org}/teams/${t.slug}`,
    name: t.name,
    slug: t.slug,
    description: null,
    privacy: 'closed',
    permission: 'pull',
    members_url: `${ctx.api}/organizations/1/team/${t.id}/members{/member}`,
    repositories_url: `${ctx.api}/organizations/1/team/${t.id}/repos`,
    parent: null,
    type: 'organization',
    members_count: t.members.size,
    organization: {
      ...(base['organization'] as Json),
      login: org,
      url: `${ctx.api}/orgs/${org}`,
      archived_at: null,
    },
  };
}

function pullOr404(ctx: Ctx, n: string | undefined): IssueRecord | undefined {
  const i = ctx.state.issues.get(Number(n));
  return i?.pull ? i : undefined;
}

function labelsReply(ctx: Ctx, i: IssueRecord): Reply {
  return { status: 200, body: i.labels.map((n, k) => label(ctx, n, k)) };
}

export const reviewHandlers: HandlerMap = {
  // --- reviews ---------------------------------------------------------------------------------
  'pulls/list-reviews': (req, ctx) => {
    if (!pullOr404(ctx, req.params['pull_number'])) return notFound();
    const list = ctx.state
      .reviewsOn(Number(req.params['pull_number']))
      // a pending review is visible to its author only
      .filter((r) => r.state !== 'PENDING' || r.user.login === ctx.identity.actor.login);
    return page(
      req,
      ctx,
      list.map((r) => review(ctx, r)),
    );
  },
  'pulls/get-review': (req, ctx) => {
    const r = ctx.state.reviews.get(Number(req.params['review_id']));
    return r && r.pullNumber === Number(req.params['pull_number'])
      ? { status: 200, body: review(ctx, r) }
      : notFound();
  },
  'pulls/create-review': (req, ctx) => {
    const pr = pullOr404(ctx, req.params['pull_number']);
    if (!pr?.pull) return notFound();
    const b = req.body ?? {};
    const me = ctx.identity.actor;
    if ((b.event === 'REQUEST_CHANGES' || b.event === 'COMMENT') && !b.body) {
      return unprocessable(
        `Unprocessable Entity: "Review Body is required for ${b.event === 'COMMENT' ? 'comments' : 'changes requested'}"`,
      );
    }
    if (b.event === 'APPROVE' || b.event === 'REQUEST_CHANGES') {
      if (pr.user.login === me.login) {
        return unprocessable(
          `Unprocessable Entity: "Can not ${b.event === 'APPROVE' ? 'approve' : 'request changes on'} your own pull request"`,
        );
      }
      if (
        me.login === 'github-actions[bot]' &&
        !ctx.state.settings.workflowPermissions.can_approve_pull_request_reviews
      ) {
        return unprocessable('GitHub Actions is not permitted to approve pull requests.');
      }
    }
    const commitId = b.commit_id ?? pr.pull.headSha;
    if (!ctx.state.commits.has(commitId))
      return unprocessable('Unprocessable Entity: "Commit could not be found"');
    const state: ReviewRecord['state'] =
      b.event === 'APPROVE'
        ? 'APPROVED'
        : b.event === 'REQUEST_CHANGES'
          ? 'CHANGES_REQUESTED'
          : b.event === 'COMMENT'
            ? 'COMMENTED'
            : 'PENDING';
    const r = ctx.state.addReview(pr.number, { user: me, state, commitId, body: b.body ?? '' });
    return { status: 200, body: review(ctx, r) };
  },
  'pulls/dismiss-review': (req, ctx) => {
    const r = ctx.state.reviews.get(Number(req.params['review_id']));
    if (!r || r.pullNumber !== Number(req.params['pull_number'])) return notFound();
    if (r.state === 'PENDING')
      return unprocessable('Unprocessable Entity: "Can not dismiss a pending review"');
    r.state = 'DISMISSED';
    ctx.state.recordEvent(r.pullNumber, 'review_dismissed', ctx.identity.actor);
    return { status: 200, body: review(ctx, r) };
  },

  // --- labels and issue events -----------------------------------------------------------------
  'issues/list-labels-on-issue': (req, ctx) => {
    const i = ctx.state.issues.get(Number(req.params['issue_number']));
    return i ? labelsReply(ctx, i) : notFound();
  },
  'issues/add-labels': (req, ctx) => {
    const i = ctx.state.issues.get(Number(req.params['issue_number']));
    if (!i) return notFound();
    const raw = Array.isArray(req.body) ? req.body : (req.body?.labels ?? []);
    for (const l of raw as (string | { name: string })[]) {
      ctx.state.addLabel(i.number, typeof l === 'string' ? l : l.name, ctx.identity.actor);
    }
    return labelsReply(ctx, i);
  },
  'issues/remove-label': (req, ctx) => {
    const i = ctx.state.issues.get(Number(req.params['issue_number']));
    const name = String(req.params['name']);
    if (!i?.labels.includes(name)) {
      return {
        status: 404,
        body: {
          message: 'Label does not exist',
          documentation_url: 'https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue',
          status: '404',
        },
      };
    }
    ctx.state.removeLabel(i.number, name, ctx.identity.actor);
    return labelsReply(ctx, i);
  },
  'issues/list-events': (req, ctx) => {
    const n = Number(req.params['issue_number']);
    if (!ctx.state.issues.has(n)) return notFound();
    return page(
      req,
      ctx,
      ctx.state.eventsOn(n).map((e) => issueEvent(ctx, e)),
    );
  },

  // --- teams -----------------------------------------------------------------------------------
  'teams/get-by-name': (req, ctx) => {
    const t =
      req.params['org'] === ctx.state.owner
        ? ctx.state.teams.get(String(req.params['team_slug']))
        : undefined;
    return t ? { status: 200, body: team(ctx, t) } : notFound();
  },
  'teams/get-membership-for-user-in-org': (req, ctx) => {
    const t =
      req.params['org'] === ctx.state.owner
        ? ctx.state.teams.get(String(req.params['team_slug']))
        : undefined;
    const login = String(req.params['username']);
    const m = t?.members.get(login);
    if (!t || !m) return notFound();
    return {
      status: 200,
      body: {
        url: `${ctx.api}/organizations/1/team/${t.id}/memberships/${login}`,
        role: m.role,
        state: m.state,
      },
    };
  },
  'teams/list-members-in-org': (req, ctx) => {
    const t =
      req.params['org'] === ctx.state.owner
        ? ctx.state.teams.get(String(req.params['team_slug']))
        : undefined;
    if (!t) return notFound();
    const role = String(req.query['role'] ?? 'all');
    const list = [...t.members.entries()]
      .filter(([, m]) => m.state === 'active' && (role === 'all' || m.role === role))
      .map(([login]) => user(ctx, ctx.state.user(login)));
    return page(req, ctx, list);
  },
};
