/**
 * The in-memory repository the double serves: pull requests (which are issues, as on
 * GitHub), issue comments, check runs, commit statuses, issues, workflow artifacts, refs and
 * commits with their file trees. Tests seed it and read it back; the REST and GraphQL
 * handlers mutate it.
 */
import { createHash } from 'node:crypto';

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
  /** Set by minimizeComment: the classifier, e.g. OUTDATED. */
  minimizedReason?: string;
}

export interface PullInfo {
  headRef: string;
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
  /** Who the token acts as: the author of everything created through the API. */
  actor: Actor = BOT;

  readonly issues = new Map<number, IssueRecord>();
  readonly comments = new Map<number, CommentRecord>();
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly statuses: StatusRecord[] = [];
  readonly commits = new Map<string, CommitRecord>();
  /** Fully qualified ref without `refs/`: heads/main, tags/v1 → sha. */
  readonly refs = new Map<string, string>();
  readonly artifacts = new Map<number, ArtifactRecord>();

  private nextId = 1000;
  private nextNumber = 1;
  private clockMs = Date.parse('2026-01-05T10:00:00Z');

  constructor(owner: string, repo: string) {
    this.owner = owner;
    this.repo = repo;
    const root = this.addCommit({
      message: 'Initial commit',
      files: { 'README.md': '# repo\n' },
      parents: [],
    });
    this.refs.set(`heads/${this.defaultBranch}`, root.sha);
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** A deterministic clock: each call moves one second forward. */
  now(): string {
    this.clockMs += 1000;
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

  addComment(issueNumber: number, body: string, user: Actor = this.actor): CommentRecord {
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

  // --- reading back (tests) --------------------------------------------------------------------

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
