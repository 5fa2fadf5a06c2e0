/**
 * The in-memory repository the double serves: pull requests (which are issues, as on
 * GitHub), issue comments and events, reviews, check runs, commit statuses, issues, workflow
 * runs and their artifacts, refs and commits with their file trees, people and teams, the
 * repository's settings, and the tokens the double issued. Tests seed it and read it back;
 * the REST and GraphQL handlers mutate it.
 */
import { createHash } from 'node:crypto';
import { type AppRef, TokenRegistry } from './identities.ts';
import { RepoSettings } from './repo-settings.ts';
import { type AddRunOptions, RunStore } from './runs.ts';

export interface Actor {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export const BOT: Actor = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
export const HUMAN: Actor = { login: 'octocat', id: 583231, type: 'User' };

export interface CommentRecord {
  id: number;
  nodeId: string;
  issueNumber: number;
  body: string;
  user: Actor;
  createdAt: string;
  updatedAt: string;
  /** The App a comment was written through (workflow tokens: GitHub Actions). */
  app?: AppRef;
  /** Set by minimizeComment: the classifier, e.g. OUTDATED. */
  minimizedReason?: string;
}

export interface PullInfo {
  headRef: string;
  /** owner/name of the fork the head branch lives in; absent: this repository. */
  headRepository?: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  merged: boolean;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  draft: boolean;
}

export interface IssueRecord {
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  user: Actor;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Present when the issue is a pull request. */
  pull?: PullInfo;
}

export interface CheckRunRecord {
  id: number;
  nodeId: string;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  startedAt: string;
  completedAt: string | null;
  /** The App that created it; only that App may update it (GitHub Actions for GITHUB_TOKEN). */
  app: AppRef;
}

export interface StatusRecord {
  id: number;
  nodeId: string;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
  updatedAt: string;
  creator: Actor;
}

export interface CommitRecord {
  sha: string;
  message: string;
  parents: string[];
  /** The whole tree at this commit: path → content. */
  files: Map<string, string>;
  date: string;
}

export interface ArtifactRecord {
  id: number;
  nodeId: string;
  name: string;
  runId: number;
  headSha: string;
  headBranch: string;
  zip: Buffer;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  /** The run's head repository id (a fork's differs from the repository's). */
  headRepositoryId?: number;
}

export interface ReviewRecord {
  id: number;
  nodeId: string;
  pullNumber: number;
  user: Actor;
  body: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  /** The pull request head the review was given on. */
  commitId: string;
  submittedAt: string | null;
}

export interface IssueEventRecord {
  id: number;
  nodeId: string;
  issueNumber: number;
  event: 'labeled' | 'unlabeled' | 'closed' | 'reopened' | 'review_dismissed';
  actor: Actor;
  label?: string;
  createdAt: string;
}

export interface TeamRecord {
  id: number;
  nodeId: string;
  slug: string;
  name: string;
  /** login → membership */
  members: Map<string, { role: 'member' | 'maintainer'; state: 'active' | 'pending' }>;
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`double:${prefix}:${id}`).toString('base64url')}`;
}

export class DoubleState {
  readonly owner: string;
  readonly repo: string;
  readonly repoId = 1296269;
  readonly repoNodeId = 'R_kgDOABPHjQ';
  defaultBranch = 'main';
  /**
   * Who a token the double did not issue acts as (tests that register no tokens): the author
   * of everything created through the API with such a token.
   */
  actor: Actor = BOT;

  readonly issues = new Map<number, IssueRecord>();
  readonly comments = new Map<number, CommentRecord>();
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly statuses: StatusRecord[] = [];
  readonly commits = new Map<string, CommitRecord>();
  /** Fully qualified ref without `refs/`: heads/main, tags/v1 → sha. */
  readonly refs = new Map<string, string>();
  readonly artifacts = new Map<number, ArtifactRecord>();
  readonly reviews = new Map<number, ReviewRecord>();
  readonly issueEvents: IssueEventRecord[] = [];
  /** People by login (created on first mention, with stable ids). */
  readonly users = new Map<string, Actor>();
  /** The organization's teams by slug. */
  readonly teams = new Map<string, TeamRecord>();
  /** Workflow runs and their jobs. */
  readonly runs: RunStore;
  /** Environments, rulesets, the OIDC subject template, Actions' workflow permissions. */
  readonly settings = new RepoSettings();
  /** The tokens and Apps the double knows. */
  readonly auth: TokenRegistry;

  private nextId = 1000;
  private nextNumber = 1;
  private clockMs = Date.parse('2026-01-05T10:00:00Z');
  private wallClock = false;

  /**
   * `clock: 'wall'` follows the real clock (one second later at least per event), for tests
   * whose other peers (an OIDC issuer, tofu) stamp times with the real clock.
   */
  constructor(owner: string, repo: string, opts: { clock?: 'fixed' | 'wall' } = {}) {
    this.owner = owner;
    this.repo = repo;
    if (opts.clock === 'wall') this.wallClock = true;
    const root = this.addCommit({
      message: 'Initial commit',
      files: { 'README.md': '# repo\n' },
      parents: [],
    });
    this.refs.set(`heads/${this.defaultBranch}`, root.sha);
    this.users.set(HUMAN.login, HUMAN);
    this.runs = new RunStore(this);
    this.auth = new TokenRegistry({
      fullName: this.fullName,
      user: (login) => this.user(login),
      runStatus: (id) => {
        const run = this.runs.get(id);
        return run && { status: run.status, attempt: run.runAttempt, event: run.event, path: run.path };
      },
    });
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** A deterministic clock: each call moves one second forward. */
  now(): string {
    this.clockMs = this.wallClock ? Math.max(this.clockMs + 1000, Date.now()) : this.clockMs + 1000;
    return new Date(this.clockMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  newId(): number {
    return this.nextId++;
  }

  nodeIdFor(prefix: string, id: number): string {
    return nodeId(prefix, id);
  }

  // --- seeding (tests) and mutation (handlers) -------------------------------------------------

  addCommit(opts: {
    message: string;
    files?: Record<string, string>;
    parents?: string[];
    /** Apply additions/deletions on top of the first parent's tree. */
    changes?: { additions?: Record<string, string>; deletions?: string[] };
  }): CommitRecord {
    const parents = opts.parents ?? [this.refs.get(`heads/${this.defaultBranch}`) ?? ''].filter(Boolean);
    const files = new Map<string, string>(
      opts.files ? Object.entries(opts.files) : (this.commits.get(parents[0] ?? '')?.files ?? []),
    );
    for (const [p, c] of Object.entries(opts.changes?.additions ?? {})) files.set(p, c);
    for (const p of opts.changes?.deletions ?? []) files.delete(p);
    const date = this.now();
    const sha = createHash('sha1')
      .update(JSON.stringify([opts.message, parents, [...files.entries()].sort(), date, this.nextId++]))
      .digest('hex');
    const commit: CommitRecord = { sha, message: opts.message, parents, files, date };
    this.commits.set(sha, commit);
    return commit;
  }

  /** A pull request with its head commit (created when not given). */
  addPullRequest(
    opts: {
      number?: number;
      title?: string;
      body?: string;
      headRef?: string;
      headSha?: string;
      baseRef?: string;
      merged?: boolean;
      mergeCommitSha?: string;
      state?: 'open' | 'closed';
      user?: Actor;
      /** owner/name of a fork the PR comes from. */
      headRepository?: string;
    } = {},
  ): IssueRecord {
    const number = opts.number ?? this.nextNumber;
    this.nextNumber = Math.max(this.nextNumber, number + 1);
    const baseRef = opts.baseRef ?? this.defaultBranch;
    const baseSha = this.refs.get(`heads/${baseRef}`) ?? '';
    const headSha =
      opts.headSha ?? this.addCommit({ message: `change for #${number}`, parents: [baseSha] }).sha;
    const headRef = opts.headRef ?? `feature-${number}`;
    if (!this.refs.has(`heads/${headRef}`)) this.refs.set(`heads/${headRef}`, headSha);
    const id = this.newId();
    const at = this.now();
    const merged = opts.merged ?? false;
    const pr: IssueRecord = {
      number,
      id,
      nodeId: nodeId('PR', id),
      title: opts.title ?? `Change ${number}`,
      body: opts.body ?? null,
      state: opts.state ?? (merged ? 'closed' : 'open'),
      stateReason: null,
      labels: [],
      user: opts.user ?? HUMAN,
      createdAt: at,
      updatedAt: at,
      closedAt: merged || opts.state === 'closed' ? at : null,
      pull: {
        headRef,
        ...(opts.headRepository ? { headRepository: opts.headRepository } : {}),
        headSha,
        baseRef,
        baseSha,
        merged,
        mergeCommitSha: opts.mergeCommitSha ?? null,
        mergedAt: merged ? at : null,
        draft: false,
      },
    };
    this.issues.set(number, pr);
    return pr;
  }

  /** Merge a pull request: a merge commit on the base branch, the PR closed and merged. */
  mergePullRequest(number: number): CommitRecord {
    const pr = this.issues.get(number);
    if (!pr?.pull) throw new Error(`github double: no pull request #${number}`);
    const baseHead = this.refs.get(`heads/${pr.pull.baseRef}`) ?? '';
    const head = this.commits.get(pr.pull.headSha);
    const merge = this.addCommit({
      message: `Merge pull request #${number} from ${this.owner}/${pr.pull.headRef}`,
      parents: [baseHead, pr.pull.headSha],
      ...(head ? { files: Object.fromEntries(head.files) } : {}),
    });
    this.refs.set(`heads/${pr.pull.baseRef}`, merge.sha);
    const at = this.now();
    Object.assign(pr.pull, { merged: true, mergeCommitSha: merge.sha, mergedAt: at });
    Object.assign(pr, { state: 'closed', closedAt: at, updatedAt: at });
    return merge;
  }

  /** Move a pull request's head to a new commit (a push to the branch). */
  pushToPullRequest(number: number, message = 'another push'): CommitRecord {
    const pr = this.issues.get(number);
    if (!pr?.pull) throw new Error(`github double: no pull request #${number}`);
    const commit = this.addCommit({ message, parents: [pr.pull.headSha] });
    pr.pull.headSha = commit.sha;
    this.refs.set(`heads/${pr.pull.headRef}`, commit.sha);
    // a ruleset with dismiss_stale_reviews_on_push on the base branch dismisses approvals
    if (this.settings.pullRequestRule(pr.pull.baseRef, this.defaultBranch)?.dismiss_stale_reviews_on_push) {
      for (const r of this.reviewsOn(number)) if (r.state === 'APPROVED') r.state = 'DISMISSED';
    }
    return commit;
  }

  addIssue(opts: { title: string; body?: string | null; labels?: string[]; user?: Actor }): IssueRecord {
    const number = this.nextNumber++;
    const id = this.newId();
    const at = this.now();
    const issue: IssueRecord = {
      number,
      id,
      nodeId: nodeId('I', id),
      title: opts.title,
      body: opts.body ?? null,
      state: 'open',
      stateReason: null,
      labels: opts.labels ?? [],
      user: opts.user ?? this.actor,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
    };
    this.issues.set(number, issue);
    return issue;
  }

  addComment(issueNumber: number, body: string, user: Actor = this.actor, app?: AppRef): CommentRecord {
    const id = this.newId();
    const at = this.now();
    const c: CommentRecord = {
      id,
      nodeId: nodeId('IC', id),
      issueNumber,
      body,
      user,
      createdAt: at,
      updatedAt: at,
      ...(app ? { app } : {}),
    };
    this.comments.set(id, c);
    return c;
  }

  addArtifact(opts: {
    name: string;
    runId: number;
    zip: Buffer;
    headSha?: string;
    headBranch?: string;
  }): ArtifactRecord {
    const id = this.newId();
    const at = this.now();
    const a: ArtifactRecord = {
      id,
      nodeId: nodeId('MDg', id),
      name: opts.name,
      runId: opts.runId,
      headSha: opts.headSha ?? this.refs.get(`heads/${this.defaultBranch}`) ?? '',
      headBranch: opts.headBranch ?? this.defaultBranch,
      zip: opts.zip,
      createdAt: at,
      expiresAt: new Date(Date.parse(at) + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      expired: false,
    };
    this.artifacts.set(id, a);
    return a;
  }

  /**
   * What a job uploads with its run's token (actions/upload-artifact): the artifact belongs to
   * the token's run. A token of another run, an expired one (its run completed) or a token
   * that is not a job's is refused; names are unique within a run (artifacts v4).
   */
  uploadArtifact(token: string, name: string, zip: Buffer, opts: { runId?: number } = {}): ArtifactRecord {
    const identity = this.auth.resolve(token);
    if (!identity)
      throw new Error('github double: upload refused: the token is unknown or its run has completed');
    if (!identity.run)
      throw new Error(`github double: upload refused: a ${identity.kind} token is not a job's token`);
    if (opts.runId !== undefined && opts.runId !== identity.run.runId) {
      throw new Error(
        `github double: upload refused: a job token of run ${identity.run.runId} cannot write into run ${opts.runId}'s artifacts`,
      );
    }
    const run = this.runs.get(identity.run.runId);
    if (!run) throw new Error(`github double: no run ${identity.run.runId}`);
    if ([...this.artifacts.values()].some((a) => a.runId === run.id && a.name === name)) {
      throw new Error(`github double: upload refused: run ${run.id} already has an artifact named ${name}`);
    }
    const a = this.addArtifact({
      name,
      runId: run.id,
      zip,
      headSha: run.headSha,
      headBranch: run.headBranch,
    });
    a.headRepositoryId = run.headRepository ? this.runs.forkId(run.headRepository) : this.repoId;
    return a;
  }

  // --- people, reviews, labels -----------------------------------------------------------------

  /** A person by login (a stable id is made up on first mention). */
  user(login: string): Actor {
    let u = this.users.get(login);
    if (!u) {
      const id = 1_000_000 + Number.parseInt(createHash('sha1').update(login).digest('hex').slice(0, 6), 16);
      u = { login, id, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
      this.users.set(login, u);
    }
    return u;
  }

  /** A team of the repository's organization, with its members (active unless said otherwise). */
  addTeam(opts: {
    slug: string;
    name?: string;
    members?: (string | { login: string; role?: 'member' | 'maintainer'; state?: 'active' | 'pending' })[];
  }): TeamRecord {
    const id = this.newId();
    const team: TeamRecord = {
      id,
      nodeId: nodeId('T', id),
      slug: opts.slug,
      name: opts.name ?? opts.slug,
      members: new Map(),
    };
    for (const m of opts.members ?? []) {
      const spec = typeof m === 'string' ? { login: m } : m;
      this.user(spec.login);
      team.members.set(spec.login, { role: spec.role ?? 'member', state: spec.state ?? 'active' });
    }
    this.teams.set(team.slug, team);
    return team;
  }

  /** A submitted review (default: an approval of the pull request's current head). */
  addReview(
    pullNumber: number,
    opts: { user: Actor | string; state?: ReviewRecord['state']; commitId?: string; body?: string },
  ): ReviewRecord {
    const pr = this.issues.get(pullNumber);
    if (!pr?.pull) throw new Error(`github double: no pull request #${pullNumber}`);
    const id = this.newId();
    const state = opts.state ?? 'APPROVED';
    const review: ReviewRecord = {
      id,
      nodeId: nodeId('PRR', id),
      pullNumber,
      user: typeof opts.user === 'string' ? this.user(opts.user) : opts.user,
      body: opts.body ?? '',
      state,
      commitId: opts.commitId ?? pr.pull.headSha,
      submittedAt: state === 'PENDING' ? null : this.now(),
    };
    this.reviews.set(id, review);
    return review;
  }

  /** Add a label as `actor` (an issue event records who did it, as on GitHub). */
  addLabel(issueNumber: number, label: string, actor: Actor | string = this.actor): void {
    const issue = this.issues.get(issueNumber);
    if (!issue) throw new Error(`github double: no issue #${issueNumber}`);
    if (issue.labels.includes(label)) return;
    issue.labels.push(label);
    this.recordEvent(issueNumber, 'labeled', actor, label);
  }

  removeLabel(issueNumber: number, label: string, actor: Actor | string = this.actor): void {
    const issue = this.issues.get(issueNumber);
    if (!issue?.labels.includes(label)) return;
    issue.labels = issue.labels.filter((l) => l !== label);
    this.recordEvent(issueNumber, 'unlabeled', actor, label);
  }

  recordEvent(
    issueNumber: number,
    event: IssueEventRecord['event'],
    actor: Actor | string,
    label?: string,
  ): IssueEventRecord {
    const id = this.newId();
    const e: IssueEventRecord = {
      id,
      nodeId: nodeId('LE', id),
      issueNumber,
      event,
      actor: typeof actor === 'string' ? this.user(actor) : actor,
      ...(label !== undefined ? { label } : {}),
      createdAt: this.now(),
    };
    this.issueEvents.push(e);
    return e;
  }

  // --- workflow runs (see runs.ts) -------------------------------------------------------------

  addWorkflowRun(opts: AddRunOptions) {
    return this.runs.add(opts);
  }

  /** End a run (its jobs too): its tokens expire. */
  completeWorkflowRun(
    runId: number,
    conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' = 'success',
  ) {
    return this.runs.complete(runId, conclusion);
  }

  /** Re-run a run: a new attempt with new jobs; the old attempt's tokens expire. */
  rerunWorkflowRun(runId: number) {
    return this.runs.rerun(runId);
  }

  // --- reading back (tests) --------------------------------------------------------------------

  reviewsOn(pullNumber: number): ReviewRecord[] {
    return [...this.reviews.values()].filter((r) => r.pullNumber === pullNumber).sort((a, b) => a.id - b.id);
  }

  eventsOn(issueNumber: number): IssueEventRecord[] {
    return this.issueEvents.filter((e) => e.issueNumber === issueNumber);
  }

  commentsOn(issueNumber: number): CommentRecord[] {
    return [...this.comments.values()]
      .filter((c) => c.issueNumber === issueNumber)
      .sort((a, b) => a.id - b.id);
  }

  checkRunsFor(sha: string): CheckRunRecord[] {
    return [...this.checkRuns.values()].filter((c) => c.headSha === sha).sort((a, b) => a.id - b.id);
  }

  /** Latest status per context for a commit, as GitHub's combined status shows them. */
  latestStatuses(sha: string): StatusRecord[] {
    const latest = new Map<string, StatusRecord>();
    for (const s of this.statuses) if (s.sha === sha) latest.set(s.context, s);
    return [...latest.values()];
  }

  /** Resolve a branch name, a full ref or a sha (also abbreviated) to a commit. */
  resolve(ref: string): CommitRecord | undefined {
    const bare = ref.replace(/^refs\//, '');
    const sha = this.refs.get(bare) ?? this.refs.get(`heads/${bare}`) ?? this.refs.get(`tags/${bare}`);
    if (sha) return this.commits.get(sha);
    if (/^[0-9a-f]{7,40}$/.test(ref)) {
      for (const c of this.commits.values()) if (c.sha.startsWith(ref)) return c;
    }
    return undefined;
  }

  /** Pull requests whose head or merge commit is `sha` (what GitHub's association shows). */
  pullsForCommit(sha: string): IssueRecord[] {
    return [...this.issues.values()].filter(
      (i) => i.pull && (i.pull.headSha === sha || i.pull.mergeCommitSha === sha),
    );
  }
}
