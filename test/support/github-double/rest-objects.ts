/**
 * REST response bodies built from GitHub's own examples in @octokit/openapi with the
 * double's state laid over them, so every field GitHub documents is present and every
 * response is then checked against the response schema by the server.
 */
import type { AppRef, Identity } from './identities.ts';
import type { RestContract } from './openapi.ts';
import type {
  Actor,
  ArtifactRecord,
  CheckRunRecord,
  CommentRecord,
  CommitRecord,
  DoubleState,
  IssueRecord,
  StatusRecord,
} from './state.ts';

export interface Ctx {
  contract: RestContract;
  state: DoubleState;
  /** Base URL of the double's REST API (what `url` fields point at). */
  api: string;
  web: string;
  /** Who the request acts as (its token's identity). */
  identity: Identity;
}

type Json = Record<string, unknown>;

function example(ctx: Ctx, operationId: string, status: number): Json {
  const ex = ctx.contract.example(operationId, status);
  return (Array.isArray(ex) ? ex[0] : ex) as Json;
}

const repoApi = (ctx: Ctx) => `${ctx.api}/repos/${ctx.state.fullName}`;
const repoWeb = (ctx: Ctx) => `${ctx.web}/${ctx.state.fullName}`;

export function user(ctx: Ctx, a: Actor): Json {
  const login = encodeURIComponent(a.login);
  return {
    login: a.login,
    id: a.id,
    node_id: `U_${a.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
    gravatar_id: '',
    url: `${ctx.api}/users/${login}`,
    html_url: a.type === 'Bot' ? `${ctx.web}/apps/${a.login.replace(/\[bot\]$/, '')}` : `${ctx.web}/${login}`,
    followers_url: `${ctx.api}/users/${login}/followers`,
    following_url: `${ctx.api}/users/${login}/following{/other_user}`,
    gists_url: `${ctx.api}/users/${login}/gists{/gist_id}`,
    starred_url: `${ctx.api}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${ctx.api}/users/${login}/subscriptions`,
    organizations_url: `${ctx.api}/users/${login}/orgs`,
    repos_url: `${ctx.api}/users/${login}/repos`,
    events_url: `${ctx.api}/users/${login}/events{/privacy}`,
    received_events_url: `${ctx.api}/users/${login}/received_events`,
    type: a.type,
    site_admin: false,
    user_view_type: 'public',
  };
}

export function issueComment(ctx: Ctx, c: CommentRecord): Json {
  const base = example(ctx, 'issues/get-comment', 200);
  return {
    ...base,
    id: c.id,
    node_id: c.nodeId,
    url: `${repoApi(ctx)}/issues/comments/${c.id}`,
    html_url: `${repoWeb(ctx)}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${repoApi(ctx)}/issues/${c.issueNumber}`,
    body: c.body,
    user: user(ctx, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    performed_via_github_app: null,
    reactions: reactions(`${repoApi(ctx)}/issues/comments/${c.id}/reactions`),
  };
}

function reactions(url: string): Json {
  return {
    url,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
}

export function label(ctx: Ctx, name: string, i: number): Json {
  return {
    id: 208045946 + i,
    node_id: `LA_${i}`,
    url: `${repoApi(ctx)}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'ededed',
    default: false,
  };
}

export function issue(ctx: Ctx, i: IssueRecord): Json {
  const base = example(ctx, 'issues/get', 200);
  const out: Json = {
    ...base,
    id: i.id,
    node_id: i.nodeId,
    url: `${repoApi(ctx)}/issues/${i.number}`,
    repository_url: repoApi(ctx),
    labels_url: `${repoApi(ctx)}/issues/${i.number}/labels{/name}`,
    comments_url: `${repoApi(ctx)}/issues/${i.number}/comments`,
    events_url: `${repoApi(ctx)}/issues/${i.number}/events`,
    html_url: `${repoWeb(ctx)}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: user(ctx, i.user),
    labels: i.labels.map((n, k) => label(ctx, n, k)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: ctx.state.commentsOn(i.number).length,
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_by: i.closedAt ? user(ctx, ctx.state.actor) : null,
    author_association: 'MEMBER',
    reactions: reactions(`${repoApi(ctx)}/issues/${i.number}/reactions`),
  };
  if (i.pull) {
    out['pull_request'] = {
      url: `${repoApi(ctx)}/pulls/${i.number}`,
      html_url: `${repoWeb(ctx)}/pull/${i.number}`,
      diff_url: `${repoWeb(ctx)}/pull/${i.number}.diff`,
      patch_url: `${repoWeb(ctx)}/pull/${i.number}.patch`,
      merged_at: i.pull.mergedAt,
    };
  } else {
    delete out['pull_request'];
  }
  return out;
}

/** head/base of a PR: the branch in this repository, or in the fork it comes from. */
function branchRef(ctx: Ctx, base: Json, ref: string, sha: string, fork?: string): Json {
  const own = repository(ctx);
  const [owner = ctx.state.owner, name = ctx.state.repo] = (fork ?? ctx.state.fullName).split('/');
  const repo = fork
    ? {
        ...own,
        id: ctx.state.runs.forkId(fork),
        name,
        full_name: fork,
        fork: true,
        owner: { ...(own['owner'] as Json), login: owner },
        url: `${ctx.api}/repos/${fork}`,
        html_url: `${ctx.web}/${fork}`,
      }
    : own;
  return {
    ...base,
    label: `${owner}:${ref}`,
    ref,
    sha,
    user: user(ctx, { login: owner, id: 1, type: 'User' }),
    repo,
  };
}

/** Full pull request (GET /pulls/{n}); `simple` gives the list form. */
export function pullRequest(ctx: Ctx, i: IssueRecord, simple = false): Json {
  const p = i.pull;
  if (!p) throw new Error(`github double: #${i.number} is not a pull request`);
  const base = simple ? example(ctx, 'pulls/list', 200) : example(ctx, 'pulls/get', 200);
  const n = i.number;
  const out: Json = {
    ...base,
    url: `${repoApi(ctx)}/pulls/${n}`,
    id: i.id,
    node_id: i.nodeId,
    html_url: `${repoWeb(ctx)}/pull/${n}`,
    diff_url: `${repoWeb(ctx)}/pull/${n}.diff`,
    patch_url: `${repoWeb(ctx)}/pull/${n}.patch`,
    issue_url: `${repoApi(ctx)}/issues/${n}`,
    commits_url: `${repoApi(ctx)}/pulls/${n}/commits`,
    review_comments_url: `${repoApi(ctx)}/pulls/${n}/comments`,
    comments_url: `${repoApi(ctx)}/issues/${n}/comments`,
    statuses_url: `${repoApi(ctx)}/statuses/${p.headSha}`,
    number: n,
    state: i.state,
    locked: false,
    title: i.title,
    body: i.body,
    user: user(ctx, i.user),
    labels: i.labels.map((name, k) => label(ctx, name, k)),
    milestone: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    active_lock_reason: null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    draft: p.draft,
    head: branchRef(ctx, base['head'] as Json, p.headRef, p.headSha, p.headRepository),
    base: branchRef(ctx, base['base'] as Json, p.baseRef, p.baseSha),
    author_association: 'MEMBER',
    auto_merge: null,
  };
  if (!simple) {
    Object.assign(out, {
      merged: p.merged,
      mergeable: p.merged ? null : true,
      mergeable_state: p.merged ? 'unknown' : 'clean',
      merged_by: p.merged ? user(ctx, ctx.state.actor) : null,
      comments: ctx.state.commentsOn(n).length,
    });
  }
  return out;
}

export function checkRun(ctx: Ctx, c: CheckRunRecord): Json {
  const base = example(ctx, 'checks/get', 200);
  return {
    ...base,
    id: c.id,
    node_id: c.nodeId,
    head_sha: c.headSha,
    external_id: c.externalId,
    url: `${repoApi(ctx)}/check-runs/${c.id}`,
    html_url: `${repoWeb(ctx)}/runs/${c.id}`,
    details_url: c.detailsUrl,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    name: c.name,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: 0,
      annotations_url: `${repoApi(ctx)}/check-runs/${c.id}/annotations`,
    },
    check_suite: { id: 5 },
    app: app(ctx, c.app, base['app'] as Json),
    pull_requests: ctx.state
      .pullsForCommit(c.headSha)
      .filter((i) => i.state === 'open')
      .map((i) => ({
        url: `${repoApi(ctx)}/pulls/${i.number}`,
        id: i.id,
        number: i.number,
        head: { ref: i.pull?.headRef, sha: i.pull?.headSha, repo: miniRepo(ctx) },
        base: { ref: i.pull?.baseRef, sha: i.pull?.baseSha, repo: miniRepo(ctx) },
      })),
  };
}

/** A GitHub App as the API shows it (check runs, installations). */
export function app(ctx: Ctx, a: AppRef, base: Json): Json {
  return {
    ...base,
    id: a.id,
    slug: a.slug,
    name: a.name,
    node_id: `A_${a.id}`,
    html_url: `${ctx.web}/apps/${a.slug}`,
    owner: { ...(base['owner'] as Json), login: ctx.state.owner, url: `${ctx.api}/users/${ctx.state.owner}` },
  };
}

function miniRepo(ctx: Ctx): Json {
  return { id: ctx.state.repoId, url: repoApi(ctx), name: ctx.state.repo };
}

export function status(ctx: Ctx, s: StatusRecord): Json {
  const base = example(ctx, 'repos/create-commit-status', 201);
  return {
    ...base,
    url: `${repoApi(ctx)}/statuses/${s.sha}`,
    avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4',
    id: s.id,
    node_id: s.nodeId,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    creator: user(ctx, s.creator),
  };
}

export function combinedStatus(ctx: Ctx, sha: string): Json {
  const base = example(ctx, 'repos/get-combined-status-for-ref', 200);
  const latest = ctx.state.latestStatuses(sha);
  const states = latest.map((s) => s.state);
  const state = states.some((s) => s === 'error' || s === 'failure')
    ? 'failure'
    : states.length === 0 || states.some((s) => s === 'pending')
      ? 'pending'
      : 'success';
  return {
    ...base,
    state,
    statuses: latest.map((s) => ({
      id: s.id,
      node_id: s.nodeId,
      state: s.state,
      description: s.description,
      target_url: s.targetUrl,
      context: s.context,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
      avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4',
      url: `${repoApi(ctx)}/statuses/${s.sha}`,
      required: false,
    })),
    sha,
    total_count: latest.length,
    commit_url: `${repoApi(ctx)}/commits/${sha}`,
    url: `${repoApi(ctx)}/commits/${sha}/status`,
  };
}

export function artifact(ctx: Ctx, a: ArtifactRecord): Json {
  const base = example(ctx, 'actions/get-artifact', 200);
  return {
    ...base,
    id: a.id,
    node_id: a.nodeId,
    name: a.name,
    size_in_bytes: a.zip.length,
    url: `${repoApi(ctx)}/actions/artifacts/${a.id}`,
    archive_download_url: `${repoApi(ctx)}/actions/artifacts/${a.id}/zip`,
    expired: a.expired,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    expires_at: a.expiresAt,
    digest: null,
    workflow_run: {
      id: a.runId,
      repository_id: ctx.state.repoId,
      head_repository_id: a.headRepositoryId ?? ctx.state.repoId,
      head_branch: a.headBranch,
      head_sha: a.headSha,
    },
  };
}

export function gitRef(ctx: Ctx, ref: string, sha: string): Json {
  return {
    ref: `refs/${ref}`,
    node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
    url: `${repoApi(ctx)}/git/refs/${ref}`,
    object: { type: 'commit', sha, url: `${repoApi(ctx)}/git/commits/${sha}` },
  };
}

function gitAuthor(date: string): Json {
  return {
    name: 'github-actions[bot]',
    email: '41898282+github-actions[bot]@users.noreply.github.com',
    date,
  };
}

const treeSha = (c: CommitRecord) => c.sha.split('').reverse().join('');

export function gitCommit(ctx: Ctx, c: CommitRecord): Json {
  const base = example(ctx, 'git/get-commit', 200);
  return {
    ...base,
    sha: c.sha,
    node_id: `C_${c.sha.slice(0, 12)}`,
    url: `${repoApi(ctx)}/git/commits/${c.sha}`,
    html_url: `${repoWeb(ctx)}/commit/${c.sha}`,
    author: gitAuthor(c.date),
    committer: gitAuthor(c.date),
    message: c.message,
    tree: { sha: treeSha(c), url: `${repoApi(ctx)}/git/trees/${treeSha(c)}` },
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${repoApi(ctx)}/git/commits/${p}`,
      html_url: `${repoWeb(ctx)}/commit/${p}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

export function commit(ctx: Ctx, c: CommitRecord): Json {
  const base = example(ctx, 'repos/get-commit', 200);
  const parent = ctx.state.commits.get(c.parents[0] ?? '');
  const changed = [...c.files.keys()].filter((p) => parent?.files.get(p) !== c.files.get(p));
  const removed = parent ? [...parent.files.keys()].filter((p) => !c.files.has(p)) : [];
  const file = (filename: string, status: string) => ({
    sha: createFakeSha(filename + c.sha),
    filename,
    status,
    additions: 1,
    deletions: status === 'removed' ? 1 : 0,
    changes: 1,
    blob_url: `${repoWeb(ctx)}/blob/${c.sha}/${filename}`,
    raw_url: `${repoWeb(ctx)}/raw/${c.sha}/${filename}`,
    contents_url: `${repoApi(ctx)}/contents/${filename}?ref=${c.sha}`,
  });
  return {
    ...base,
    url: `${repoApi(ctx)}/commits/${c.sha}`,
    sha: c.sha,
    node_id: `C_${c.sha.slice(0, 12)}`,
    html_url: `${repoWeb(ctx)}/commit/${c.sha}`,
    comments_url: `${repoApi(ctx)}/commits/${c.sha}/comments`,
    commit: {
      ...(base['commit'] as Json),
      url: `${repoApi(ctx)}/git/commits/${c.sha}`,
      author: gitAuthor(c.date),
      committer: gitAuthor(c.date),
      message: c.message,
      tree: { sha: treeSha(c), url: `${repoApi(ctx)}/git/trees/${treeSha(c)}` },
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: user(ctx, ctx.state.actor),
    committer: user(ctx, ctx.state.actor),
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${repoApi(ctx)}/commits/${p}`,
      html_url: `${repoWeb(ctx)}/commit/${p}`,
    })),
    stats: { additions: changed.length, deletions: removed.length, total: changed.length + removed.length },
    files: [
      ...changed.map((f) => file(f, parent?.files.has(f) ? 'modified' : 'added')),
      ...removed.map((f) => file(f, 'removed')),
    ],
  };
}

function createFakeSha(s: string): string {
  let h = 0n;
  for (const ch of s) h = (h * 131n + BigInt(ch.codePointAt(0) ?? 0)) % (1n << 160n);
  return h.toString(16).padStart(40, '0');
}

export function contentFile(ctx: Ctx, c: CommitRecord, path: string, content: string): Json {
  const base = example(ctx, 'repos/get-content', 200);
  const sha = createFakeSha(content);
  return {
    ...(Array.isArray(base) ? base[0] : base),
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(content),
    name: path.split('/').pop(),
    path,
    content: Buffer.from(content).toString('base64'),
    sha,
    url: `${repoApi(ctx)}/contents/${path}?ref=${c.sha}`,
    git_url: `${repoApi(ctx)}/git/blobs/${sha}`,
    html_url: `${repoWeb(ctx)}/blob/${c.sha}/${path}`,
    download_url: `${ctx.web}/raw/${ctx.state.fullName}/${c.sha}/${path}`,
    _links: {
      self: `${repoApi(ctx)}/contents/${path}?ref=${c.sha}`,
      git: `${repoApi(ctx)}/git/blobs/${sha}`,
      html: `${repoWeb(ctx)}/blob/${c.sha}/${path}`,
    },
  };
}

export function repository(ctx: Ctx): Json {
  // the example is a fork; ours is not (the fork's `source` and `parent` repos would need more)
  const { source: _s, parent: _p, template_repository: _t, ...base } = example(ctx, 'repos/get', 200);
  return {
    ...base,
    fork: false,
    id: ctx.state.repoId,
    node_id: ctx.state.repoNodeId,
    name: ctx.state.repo,
    full_name: ctx.state.fullName,
    default_branch: ctx.state.defaultBranch,
    language: null,
    url: repoApi(ctx),
    html_url: repoWeb(ctx),
  };
}
