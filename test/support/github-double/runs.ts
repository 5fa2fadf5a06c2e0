/**
 * Workflow runs and their jobs, as the Actions REST API shows them. A run has the fields the
 * trust boundary reads: path (the workflow file that started it), event, head_sha,
 * head_branch, head_repository (a fork's differs), pull_requests (empty for fork PRs, as on
 * GitHub), run_attempt, status and conclusion. Job tokens are scoped to a run (identities.ts).
 */
import { createHash } from 'node:crypto';
import type { Actor, DoubleState } from './state.ts';

export type RunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type RunConclusion =
  | 'success'
  | 'failure'
  | 'cancelled'
  | 'skipped'
  | 'neutral'
  | 'timed_out'
  | 'action_required';

export interface JobRecord {
  id: number;
  nodeId: string;
  runId: number;
  runAttempt: number;
  name: string;
  status: RunStatus;
  conclusion: RunConclusion | null;
  createdAt: string;
  startedAt: string;
  completedAt: string | null;
}

export interface WorkflowRunRecord {
  id: number;
  nodeId: string;
  name: string;
  /** The workflow file that started the run, from the repository root (.github/workflows/x.yml). */
  path: string;
  workflowId: number;
  runNumber: number;
  runAttempt: number;
  event: string;
  status: RunStatus;
  conclusion: RunConclusion | null;
  headSha: string;
  headBranch: string;
  /** owner/name of the head repository when it is a fork; absent: this repository. */
  headRepository?: string;
  /** Pull requests of the run (GitHub lists none for runs from forks). */
  pullRequests: number[];
  actor: Actor;
  displayTitle: string;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string;
  jobs: JobRecord[];
}

export interface AddRunOptions {
  /** The workflow file, e.g. WORKFLOWS.planCaller from src/auth/oidc-subjects.ts. */
  path: string;
  event: string;
  name?: string;
  /** The run is for this pull request: head sha and branch come from it. */
  pullRequest?: number;
  headSha?: string;
  headBranch?: string;
  /** owner/name of a fork the head comes from. */
  headRepository?: string;
  status?: RunStatus;
  /** Giving a conclusion completes the run. */
  conclusion?: RunConclusion;
  actor?: Actor | string;
  jobs?: (string | { name: string; status?: RunStatus; conclusion?: RunConclusion })[];
}

const stableId = (s: string, base: number) =>
  base + Number.parseInt(createHash('sha1').update(s).digest('hex').slice(0, 6), 16);

export class RunStore {
  private readonly runs = new Map<number, WorkflowRunRecord>();
  private runNumbers = new Map<string, number>();

  constructor(private readonly state: DoubleState) {}

  add(opts: AddRunOptions): WorkflowRunRecord {
    const s = this.state;
    const pr = opts.pullRequest !== undefined ? s.issues.get(opts.pullRequest) : undefined;
    if (opts.pullRequest !== undefined && !pr?.pull) {
      throw new Error(`github double: no pull request #${opts.pullRequest}`);
    }
    const id = 5_000_000_000 + s.newId();
    const at = s.now();
    const runNumber = (this.runNumbers.get(opts.path) ?? 0) + 1;
    this.runNumbers.set(opts.path, runNumber);
    const completed = opts.conclusion !== undefined;
    const status: RunStatus = completed ? 'completed' : (opts.status ?? 'in_progress');
    const run: WorkflowRunRecord = {
      id,
      nodeId: s.nodeIdFor('WFR', id),
      name: opts.name ?? (opts.path.split('/').pop() ?? opts.path).replace(/\.ya?ml$/, ''),
      path: opts.path,
      workflowId: this.workflowId(opts.path),
      runNumber,
      runAttempt: 1,
      event: opts.event,
      status,
      conclusion: opts.conclusion ?? null,
      headSha: opts.headSha ?? pr?.pull?.headSha ?? s.refs.get(`heads/${s.defaultBranch}`) ?? '',
      headBranch: opts.headBranch ?? pr?.pull?.headRef ?? s.defaultBranch,
      ...(opts.headRepository ? { headRepository: opts.headRepository } : {}),
      pullRequests: pr && !opts.headRepository ? [pr.number] : [],
      actor: typeof opts.actor === 'string' ? s.user(opts.actor) : (opts.actor ?? pr?.user ?? s.actor),
      displayTitle: pr?.title ?? opts.name ?? opts.path,
      createdAt: at,
      updatedAt: at,
      runStartedAt: at,
      jobs: [],
    };
    const jobs = opts.jobs ?? ['build'];
    for (const j of jobs) {
      const spec = typeof j === 'string' ? { name: j } : j;
      run.jobs.push(this.job(run, spec.name, spec.status ?? status, spec.conclusion ?? run.conclusion));
    }
    this.runs.set(id, run);
    return run;
  }

  private job(
    run: WorkflowRunRecord,
    name: string,
    status: RunStatus,
    conclusion: RunConclusion | null,
  ): JobRecord {
    const id = 9_000_000_000 + this.state.newId();
    const at = this.state.now();
    return {
      id,
      nodeId: this.state.nodeIdFor('CR', id),
      runId: run.id,
      runAttempt: run.runAttempt,
      name,
      status,
      conclusion: status === 'completed' ? (conclusion ?? 'success') : null,
      createdAt: at,
      startedAt: at,
      completedAt: status === 'completed' ? at : null,
    };
  }

  get(id: number): WorkflowRunRecord | undefined {
    return this.runs.get(id);
  }

  /** Newest first, as GitHub lists runs. */
  list(): WorkflowRunRecord[] {
    return [...this.runs.values()].sort((a, b) => b.id - a.id);
  }

  complete(id: number, conclusion: RunConclusion): WorkflowRunRecord {
    const run = this.must(id);
    const at = this.state.now();
    Object.assign(run, { status: 'completed', conclusion, updatedAt: at });
    for (const j of run.jobs) {
      if (j.runAttempt !== run.runAttempt || j.status === 'completed') continue;
      Object.assign(j, { status: 'completed', conclusion, completedAt: at });
    }
    return run;
  }

  /** Re-run all jobs: a new attempt with new jobs (and new tokens); the old attempt's tokens are dead. */
  rerun(id: number): WorkflowRunRecord {
    const run = this.must(id);
    const names = [...new Set(run.jobs.filter((j) => j.runAttempt === run.runAttempt).map((j) => j.name))];
    const at = this.state.now();
    Object.assign(run, {
      runAttempt: run.runAttempt + 1,
      status: 'in_progress',
      conclusion: null,
      updatedAt: at,
      runStartedAt: at,
    });
    for (const name of names) run.jobs.push(this.job(run, name, 'in_progress', null));
    return run;
  }

  /** The id GitHub gives a workflow file (stable per path). */
  workflowId(path: string): number {
    return stableId(path, 100_000_000);
  }

  /** The repository id of a fork (stable per owner/name). */
  forkId(fullName: string): number {
    return stableId(fullName, 200_000_000);
  }

  /** Workflow files known to Actions: those on the default branch and those that ran. */
  workflowPaths(): string[] {
    const s = this.state;
    const head = s.commits.get(s.refs.get(`heads/${s.defaultBranch}`) ?? '');
    const onMain = [...(head?.files.keys() ?? [])].filter((p) =>
      /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p),
    );
    return [...new Set([...onMain, ...[...this.runs.values()].map((r) => r.path)])].sort();
  }

  /** A workflow by id or file name (what `workflow_id` accepts). */
  findWorkflow(idOrFile: string): string | undefined {
    return this.workflowPaths().find(
      (p) => String(this.workflowId(p)) === idOrFile || p.split('/').pop() === idOrFile,
    );
  }

  private must(id: number): WorkflowRunRecord {
    const run = this.runs.get(id);
    if (!run) throw new Error(`github double: no workflow run ${id}`);
    return run;
  }
}
