/**
 * The core REST operations the toolkit uses (issues and their comments, pull requests,
 * checks, statuses, artifacts, refs, commits, contents), by operationId, executed against
 * the in-memory state. Requests reaching a handler already passed schema validation and the
 * token's permission check; handlers add the rules GitHub enforces that the description does
 * not carry (body lengths, a required conclusion, fast-forward refs, authorship) and answer
 * as GitHub does.
 */

import { GITHUB_ACTIONS_APP } from './identities.ts';
import {
  DOCS,
  forbidden,
  type HandlerMap,
  notFound,
  page,
  type Reply,
  tooLong,
  validationFailed,
} from './rest-kit.ts';
import type { Ctx } from './rest-objects.ts';
import * as obj from './rest-objects.ts';
import type { Actor, CheckRunRecord, IssueRecord, StatusRecord } from './state.ts';

/** GitHub's limits that the OpenAPI description does not state. */
export const LIMITS = {
  commentBody: 65_536,
  issueBody: 65_536,
  issueTitle: 256,
  checkRunSummary: 65_535,
  checkRunText: 65_535,
  checkRunTitle: 1_000,
  statusDescription: 140,
};

function issueOr404(ctx: Ctx, n: string | undefined): IssueRecord | undefined {
  return ctx.state.issues.get(Number(n));
}

export const coreHandlers: HandlerMap = {
  'repos/get': (_req, ctx) => ({ status: 200, body: obj.repository(ctx) }),

  // --- issue comments (PR conversation comments are issue comments) ------------------------
  'issues/list-comments': (req, ctx) => {
    if (!issueOr404(ctx, req.params['issue_number'])) return notFound();
    const list = ctx.state.commentsOn(Number(req.params['issue_number']));
    return page(
      req,
      ctx,
      list.map((c) => obj.issueComment(ctx, c)),
    );
  },
  'issues/get-comment': (req, ctx) => {
    const c = ctx.state.comments.get(Number(req.params['comment_id']));
    return c ? { status: 200, body: obj.issueComment(ctx, c) } : notFound();
  },
  'issues/create-comment': (req, ctx) => {
    if (!issueOr404(ctx, req.params['issue_number'])) return notFound();
    const err = tooLong('IssueComment', 'body', req.body.body, LIMITS.commentBody);
    if (err) return err;
    const c = ctx.state.addComment(
      Number(req.params['issue_number']),
      req.body.body,
      ctx.identity.actor,
      ctx.identity.app,
    );
    return {
      status: 201,
      body: obj.issueComment(ctx, c),
      headers: { location: `${ctx.api}/repos/${ctx.state.fullName}/issues/comments/${c.id}` },
    };
  },
  'issues/update-comment': (req, ctx) => {
    const c = ctx.state.comments.get(Number(req.params['comment_id']));
    if (!c) return notFound();
    const denied = notAuthor(ctx, c.user);
    if (denied) return denied;
    const err = tooLong('IssueComment', 'body', req.body.body, LIMITS.commentBody);
    if (err) return err;
    c.body = req.body.body;
    c.updatedAt = ctx.state.now();
    return { status: 200, body: obj.issueComment(ctx, c) };
  },
  'issues/delete-comment': (req, ctx) => {
    const c = ctx.state.comments.get(Number(req.params['comment_id']));
    if (!c) return notFound();
    const denied = notAuthor(ctx, c.user);
    if (denied) return denied;
    ctx.state.comments.delete(c.id);
    return { status: 204 };
  },

  // --- issues --------------------------------------------------------------------------------
  'issues/create': (req, ctx) => {
    const err =
      tooLong('Issue', 'title', String(req.body.title), LIMITS.issueTitle) ??
      tooLong('Issue', 'body', req.body.body, LIMITS.issueBody);
    if (err) return err;
    const labels = (req.body.labels ?? []).map((l: string | { name?: string }) =>
      typeof l === 'string' ? l : l.name,
    );
    const i = ctx.state.addIssue({
      title: String(req.body.title),
      body: req.body.body ?? null,
      labels,
      user: ctx.identity.actor,
    });
    return {
      status: 201,
      body: obj.issue(ctx, i),
      headers: { location: `${ctx.api}/repos/${ctx.state.fullName}/issues/${i.number}` },
    };
  },
  'issues/get': (req, ctx) => {
    const i = issueOr404(ctx, req.params['issue_number']);
    return i ? { status: 200, body: obj.issue(ctx, i) } : notFound();
  },
  'issues/update': (req, ctx) => {
    const i = issueOr404(ctx, req.params['issue_number']);
    if (!i) return notFound();
    const b = req.body ?? {};
    const err =
      (b.title !== undefined ? tooLong('Issue', 'title', String(b.title), LIMITS.issueTitle) : undefined) ??
      tooLong('Issue', 'body', b.body, LIMITS.issueBody);
    if (err) return err;
    if (b.title !== undefined && b.title !== null) i.title = String(b.title);
    if (b.body !== undefined) i.body = b.body;
    if (b.labels !== undefined) {
      const next: string[] = b.labels.map((l: string | { name?: string }) =>
        typeof l === 'string' ? l : (l.name ?? ''),
      );
      setLabels(ctx, i, next);
    }
    if (b.state && b.state !== i.state) {
      ctx.state.recordEvent(i.number, b.state === 'closed' ? 'closed' : 'reopened', ctx.identity.actor);
      i.state = b.state;
      i.closedAt = b.state === 'closed' ? ctx.state.now() : null;
      i.stateReason = b.state === 'closed' ? (b.state_reason ?? 'completed') : 'reopened';
    } else if (b.state_reason !== undefined) {
      i.stateReason = b.state_reason;
    }
    i.updatedAt = ctx.state.now();
    return { status: 200, body: obj.issue(ctx, i) };
  },
  'issues/list-for-repo': (req, ctx) => {
    const state = String(req.query['state'] ?? 'open');
    const labels = String(req.query['labels'] ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    const creator = req.query['creator'] ? String(req.query['creator']) : undefined;
    const direction = String(req.query['direction'] ?? 'desc');
    const list = [...ctx.state.issues.values()]
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => labels.every((l) => i.labels.includes(l)))
      .filter((i) => !creator || i.user.login === creator)
      .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
    return page(
      req,
      ctx,
      list.map((i) => obj.issue(ctx, i)),
    );
  },

  // --- pull requests -------------------------------------------------------------------------
  'pulls/get': (req, ctx) => {
    const i = issueOr404(ctx, req.params['pull_number']);
    return i?.pull ? { status: 200, body: obj.pullRequest(ctx, i) } : notFound();
  },
  'pulls/list': (req, ctx) => {
    const state = String(req.query['state'] ?? 'open');
    const head = req.query['head'] ? String(req.query['head']) : undefined;
    const base = req.query['base'] ? String(req.query['base']) : undefined;
    const list = [...ctx.state.issues.values()]
      .filter((i) => i.pull && (state === 'all' || i.state === state))
      .filter(
        (i) =>
          !head || `${i.pull?.headRepository?.split('/')[0] ?? ctx.state.owner}:${i.pull?.headRef}` === head,
      )
      .filter((i) => !base || i.pull?.baseRef === base)
      .sort((a, b) => b.number - a.number);
    return page(
      req,
      ctx,
      list.map((i) => obj.pullRequest(ctx, i, true)),
    );
  },
  'repos/list-pull-requests-associated-with-commit': (req, ctx) => {
    const c = ctx.state.resolve(String(req.params['commit_sha']));
    if (!c) {
      return validationFailed('Commit', 'commit_sha', `No commit found for SHA: ${req.params['commit_sha']}`);
    }
    const list = ctx.state.pullsForCommit(c.sha).sort((a, b) => b.number - a.number);
    return page(
      req,
      ctx,
      list.map((i) => obj.pullRequest(ctx, i, true)),
    );
  },

  // --- checks and statuses -------------------------------------------------------------------
  'checks/create': (req, ctx) => {
    const b = req.body;
    if (!ctx.state.resolve(String(b.head_sha))) {
      return validationFailed('CheckRun', 'head_sha', 'No commit found for SHA: ' + b.head_sha);
    }
    const invalid = checkRunLimits(b);
    if (invalid) return invalid;
    const id = ctx.state.newId();
    const run: CheckRunRecord = {
      id,
      nodeId: ctx.state.nodeIdFor('CR', id),
      name: String(b.name),
      headSha: String(b.head_sha),
      status: 'queued',
      conclusion: null,
      externalId: b.external_id ?? '',
      detailsUrl: b.details_url ?? null,
      output: { title: null, summary: null, text: null },
      startedAt: b.started_at ?? ctx.state.now(),
      completedAt: null,
      app: ctx.identity.app ?? GITHUB_ACTIONS_APP,
    };
    const err = applyCheckRun(run, b, ctx);
    if (err) return err;
    ctx.state.checkRuns.set(id, run);
    return { status: 201, body: obj.checkRun(ctx, run) };
  },
  'checks/update': (req, ctx) => {
    const run = ctx.state.checkRuns.get(Number(req.params['check_run_id']));
    if (!run) return notFound();
    // an App can only update its own check runs (every workflow token is the GitHub Actions app)
    if (ctx.identity.enforced && ctx.identity.app?.id !== run.app.id) {
      return forbidden('Resource not accessible by integration');
    }
    const invalid = checkRunLimits(req.body);
    if (invalid) return invalid;
    const next = structuredClone(run);
    const err = applyCheckRun(next, req.body, ctx);
    if (err) return err;
    Object.assign(run, next);
    return { status: 200, body: obj.checkRun(ctx, run) };
  },
  'checks/get': (req, ctx) => {
    const run = ctx.state.checkRuns.get(Number(req.params['check_run_id']));
    return run ? { status: 200, body: obj.checkRun(ctx, run) } : notFound();
  },
  'checks/list-for-ref': (req, ctx) => {
    const c = ctx.state.resolve(String(req.params['ref']));
    if (!c) return validationFailed('Commit', 'ref', `No commit found for SHA: ${req.params['ref']}`);
    const name = req.query['check_name'] ? String(req.query['check_name']) : undefined;
    const status = req.query['status'] ? String(req.query['status']) : undefined;
    let runs = ctx.state
      .checkRunsFor(c.sha)
      .filter((r) => (!name || r.name === name) && (!status || r.status === status));
    // filter=latest (the default): the most recent run per name
    if (String(req.query['filter'] ?? 'latest') === 'latest') {
      const latest = new Map<string, CheckRunRecord>();
      for (const r of runs) latest.set(r.name, r);
      runs = [...latest.values()];
    }
    runs.sort((a, b) => b.id - a.id);
    const total = runs.length;
    return page(req, ctx, runs, (p) => ({
      total_count: total,
      check_runs: p.map((r) => obj.checkRun(ctx, r)),
    }));
  },
  'repos/create-commit-status': (req, ctx) => {
    const sha = String(req.params['sha']);
    if (!ctx.state.commits.has(sha))
      return validationFailed('Status', 'sha', `No commit found for SHA: ${sha}`);
    const b = req.body;
    const err = tooLong('Status', 'description', b.description, LIMITS.statusDescription);
    if (err) return err;
    if (b.target_url && !URL.canParse(b.target_url)) {
      return validationFailed('Status', 'target_url', 'target_url must be a valid URL');
    }
    const id = ctx.state.newId();
    const at = ctx.state.now();
    const s: StatusRecord = {
      id,
      nodeId: ctx.state.nodeIdFor('SC', id),
      sha,
      state: b.state,
      context: b.context ?? 'default',
      description: b.description ?? null,
      targetUrl: b.target_url ?? null,
      createdAt: at,
      updatedAt: at,
      creator: ctx.identity.actor,
    };
    ctx.state.statuses.push(s);
    return { status: 201, body: obj.status(ctx, s) };
  },
  'repos/list-commit-statuses-for-ref': (req, ctx) => {
    const c = ctx.state.resolve(String(req.params['ref']));
    if (!c) return notFound();
    const list = ctx.state.statuses.filter((s) => s.sha === c.sha).reverse();
    return page(
      req,
      ctx,
      list.map((s) => obj.status(ctx, s)),
    );
  },
  'repos/get-combined-status-for-ref': (req, ctx) => {
    const c = ctx.state.resolve(String(req.params['ref']));
    return c ? { status: 200, body: obj.combinedStatus(ctx, c.sha) } : notFound();
  },

  // --- workflow artifacts --------------------------------------------------------------------
  'actions/list-artifacts-for-repo': (req, ctx) => {
    const name = req.query['name'] ? String(req.query['name']) : undefined;
    const list = [...ctx.state.artifacts.values()]
      .filter((a) => !name || a.name === name)
      .sort((a, b) => b.id - a.id);
    return page(req, ctx, list, (p) => ({
      total_count: list.length,
      artifacts: p.map((a) => obj.artifact(ctx, a)),
    }));
  },
  'actions/list-workflow-run-artifacts': (req, ctx) => {
    const runId = Number(req.params['run_id']);
    const name = req.query['name'] ? String(req.query['name']) : undefined;
    const list = [...ctx.state.artifacts.values()]
      .filter((a) => a.runId === runId && (!name || a.name === name))
      .sort((a, b) => b.id - a.id);
    return page(req, ctx, list, (p) => ({
      total_count: list.length,
      artifacts: p.map((a) => obj.artifact(ctx, a)),
    }));
  },
  'actions/get-artifact': (req, ctx) => {
    const a = ctx.state.artifacts.get(Number(req.params['artifact_id']));
    return a ? { status: 200, body: obj.artifact(ctx, a) } : notFound();
  },
  'actions/download-artifact': (req, ctx) => {
    const a = ctx.state.artifacts.get(Number(req.params['artifact_id']));
    if (!a || req.params['archive_format'] !== 'zip') return notFound();
    if (a.expired)
      return {
        status: 410,
        body: { message: 'Artifact has expired', documentation_url: DOCS, status: '410' },
      };
    return { status: 302, headers: { location: `${ctx.api}/_blobs/artifacts/${a.id}.zip` } };
  },

  // --- git refs, commits, contents ------------------------------------------------------------
  'git/get-ref': (req, ctx) => {
    const ref = String(req.params['ref']);
    const sha = ctx.state.refs.get(ref);
    return sha ? { status: 200, body: obj.gitRef(ctx, ref, sha) } : notFound();
  },
  'git/create-ref': (req, ctx) => {
    const ref = String(req.body.ref);
    if (!/^refs\/.+\/.+/.test(ref))
      return validationFailed('Reference', 'ref', 'Reference name must start with refs/');
    const bare = ref.replace(/^refs\//, '');
    if (ctx.state.refs.has(bare)) return validationFailed('Reference', 'ref', 'Reference already exists');
    if (!ctx.state.commits.has(String(req.body.sha)))
      return validationFailed('Reference', 'sha', 'Object does not exist');
    ctx.state.refs.set(bare, String(req.body.sha));
    return { status: 201, body: obj.gitRef(ctx, bare, String(req.body.sha)) };
  },
  'git/update-ref': (req, ctx) => {
    const ref = String(req.params['ref']);
    const current = ctx.state.refs.get(ref);
    if (!current) return validationFailed('Reference', 'ref', 'Reference does not exist');
    const next = String(req.body.sha);
    if (!ctx.state.commits.has(next)) return validationFailed('Reference', 'sha', 'Object does not exist');
    if (!req.body.force && !isAncestor(ctx, current, next)) {
      return validationFailed('Reference', 'sha', 'Update is not a fast forward');
    }
    ctx.state.refs.set(ref, next);
    return { status: 200, body: obj.gitRef(ctx, ref, next) };
  },
  'git/get-commit': (req, ctx) => {
    const c = ctx.state.commits.get(String(req.params['commit_sha']));
    return c ? { status: 200, body: obj.gitCommit(ctx, c) } : notFound();
  },
  'repos/get-commit': (req, ctx) => {
    const c = ctx.state.resolve(String(req.params['ref']));
    return c
      ? { status: 200, body: obj.commit(ctx, c) }
      : validationFailed('Commit', 'ref', `No commit found for SHA: ${req.params['ref']}`);
  },
  'repos/get-content': (req, ctx) => {
    const c = ctx.state.resolve(String(req.query['ref'] ?? ctx.state.defaultBranch));
    const path = String(req.params['path'] ?? '');
    const content = c?.files.get(path);
    if (!c || content === undefined) return notFound();
    return { status: 200, body: obj.contentFile(ctx, c, path, content) };
  },
};

/**
 * Only the author may edit or delete a comment. Every workflow token acts as
 * github-actions[bot], so any workflow of the repository with issues or pull-requests write
 * can edit every comment any workflow wrote: GitHub's model, and a residual risk.
 */
function notAuthor(ctx: Ctx, author: Actor): Reply | undefined {
  if (!ctx.identity.enforced || ctx.identity.actor.login === author.login) return undefined;
  return forbidden(
    ctx.identity.kind === 'user'
      ? 'Resource not accessible by personal access token'
      : 'Resource not accessible by integration',
  );
}

/** Replace an issue's labels, recording labeled/unlabeled events by the caller. */
function setLabels(ctx: Ctx, issue: IssueRecord, next: string[]): void {
  for (const l of issue.labels.filter((x) => !next.includes(x)))
    ctx.state.removeLabel(issue.number, l, ctx.identity.actor);
  for (const l of next) ctx.state.addLabel(issue.number, l, ctx.identity.actor);
  issue.labels = [...new Set(next)];
}

function checkRunLimits(b: Record<string, unknown>): Reply | undefined {
  const out = (b['output'] ?? {}) as Record<string, unknown>;
  return (
    tooLong('CheckRun', 'output.summary', out['summary'], LIMITS.checkRunSummary) ??
    tooLong('CheckRun', 'output.text', out['text'], LIMITS.checkRunText) ??
    tooLong('CheckRun', 'output.title', out['title'], LIMITS.checkRunTitle)
  );
}

// biome-ignore lint/suspicious/noExplicitAny: schema-validated body
function applyCheckRun(run: CheckRunRecord, b: any, ctx: Ctx): Reply | undefined {
  if (b.name !== undefined) run.name = String(b.name);
  if (b.details_url !== undefined) run.detailsUrl = b.details_url;
  if (b.external_id !== undefined) run.externalId = b.external_id;
  if (b.output) {
    run.output = {
      title: b.output.title ?? run.output.title,
      summary: b.output.summary ?? run.output.summary,
      text: b.output.text ?? run.output.text,
    };
  }
  // "Providing conclusion will automatically set the status parameter to completed."
  if (b.conclusion !== undefined) {
    run.conclusion = b.conclusion;
    run.status = 'completed';
  } else if (b.status !== undefined) {
    run.status = b.status;
  }
  if (run.status === 'completed' && !run.conclusion) {
    return validationFailed('CheckRun', 'conclusion', 'Conclusion must be provided when status is completed');
  }
  if (run.status === 'completed') run.completedAt = b.completed_at ?? run.completedAt ?? ctx.state.now();
  return undefined;
}

function isAncestor(ctx: Ctx, ancestor: string, of: string): boolean {
  const seen = new Set<string>();
  const queue = [of];
  while (queue.length) {
    const sha = queue.shift() as string;
    if (sha === ancestor) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    queue.push(...(ctx.state.commits.get(sha)?.parents ?? []));
  }
  return false;
}
