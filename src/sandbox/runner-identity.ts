/**
 * The sandbox's stand-in for what GitHub knows about every job and act does not: which
 * workflow file at which ref defines it, its `permissions` (capped by a calling job's), its
 * `environment` and whether that environment lets it run. The doubles ask it who a request
 * comes from (the requesting process's environment, see proc-peer.ts) and issue credentials
 * for that job only: the GitHub double a token with the job's permissions, the OIDC issuer
 * an ID token whose claims name the job's workflow file, ref and environment.
 *
 * What it cannot model, and so refuses (fail closed):
 * - act runs all jobs of a run as processes of one user, so a step could pose as another job of
 *   the same run by setting GITHUB_JOB/GITHUB_WORKFLOW. Where that would cross a trust level —
 *   a run whose pull-request-controlled file has steps of its own next to jobs of a default-branch
 *   reusable workflow — the default-branch jobs get nothing (on GitHub they would run);
 * - an `environment:` expression other than a literal or `${{ matrix.<key> }}`. The matrix of a
 *   leg is read from the idlc action's `stack` input (INPUT_STACK = toJSON(matrix)); steps before
 *   it in the leg (the checkout) get the job's GitHub token but no ID token, and approval is
 *   decided when the environment becomes known — so a leg whose approval is withheld has
 *   checked out before it is stopped (on GitHub it would not start);
 * - two workflow files of one run with the same name and job id (ambiguous).
 */
import {
  capPermissions,
  defaultPermissions,
  evaluateEnvironment,
  type JobModel,
  type PermissionMap,
  parseUses,
  type WorkflowModel,
} from './workflow-model.ts';

export interface SandboxRun {
  id: number;
  attempt: number;
  /** The event as act gets it (pull_request, push, workflow_run, workflow_dispatch). */
  event: string;
  /** GITHUB_REF and GITHUB_SHA of the run. */
  ref: string;
  sha: string;
  repository: string;
  defaultBranch: string;
  actor: string;
  /** A pull request from a fork: read-only token, no ID token. */
  fork: boolean;
  /** PR runs: head and base branch (ID-token claims). */
  headRef?: string;
  baseRef?: string;
  /** The workflow file that started the run (from the event's commit). */
  workflow: WorkflowModel;
  /** Reusable workflows it calls, by the `uses:` string, with the file as act reads it. */
  called: Map<string, WorkflowModel>;
}

export interface EnvironmentPolicy {
  /** Required reviewers (logins / @org/team); empty: no approval needed. */
  reviewers: string[];
  /** Branches that may deploy (glob on the branch name); undefined: any ref. */
  branches?: string[];
}

export interface JobIdentity {
  run: SandboxRun;
  file: WorkflowModel;
  job: JobModel;
  /** The ref of the file that defines the job (job_workflow_ref's ref). */
  fileRef: string;
  /** The file comes from the default branch. */
  trusted: boolean;
  permissions: PermissionMap;
  environment?: string;
  /**
   * The job has an `environment: ${{ matrix.… }}` and this step does not carry the matrix
   * (steps before the idlc action): its environment — and so its approval — is not known yet.
   */
  environmentPending?: boolean;
  /** One matrix leg of one job of one run. */
  key: string;
  jobWorkflowRef: string;
  workflowRef: string;
}

export type Resolution = { identity: JobIdentity } | { refused: string };

export interface IdentityHooks {
  /** The repository's default workflow permissions (Settings → Actions). */
  defaultPermissions(): 'read' | 'write';
  /** The environment's protection as the repository has it (undefined: it does not exist yet). */
  environment(name: string): EnvironmentPolicy | undefined;
  /** A line for the terminal. */
  say(line: string): void;
  /** A job leg was recognised (its workspace and a label for the results). */
  onResolved?(workspace: string, label: string): void;
}

const fullRef = (ref: string) =>
  ref.startsWith('refs/') || /^[0-9a-f]{40}$/.test(ref) ? ref : `refs/heads/${ref}`;

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split('')
      .map((c) => (c === '*' ? '[^/]*' : c.replace(/[.+^${}()|[\]\\?]/g, '\\$&')))
      .join('')}$`,
  );

export class RunnerIdentity {
  private readonly runs = new Map<number, SandboxRun>();
  /** job leg → environment, once a step of the leg showed its matrix. */
  private readonly legEnvironments = new Map<string, string>();
  private readonly approved = new Set<string>();
  /** Environments whose approval the sandbox withholds (the reviewers said no). */
  readonly withheld = new Set<string>();

  constructor(private readonly hooks: IdentityHooks) {}

  register(run: SandboxRun): void {
    this.runs.set(run.id, run);
  }

  forget(runId: number): void {
    this.runs.delete(runId);
  }

  get(runId: number): SandboxRun | undefined {
    return this.runs.get(runId);
  }

  /** The job a process belongs to, from the environment act gave it. */
  resolve(env: Record<string, string>): Resolution {
    const runId = Number(env['GITHUB_RUN_ID']);
    const run = Number.isFinite(runId) ? this.runs.get(runId) : undefined;
    if (!run) return { refused: 'not a step of a workflow run the sandbox started' };
    if (env['GITHUB_REPOSITORY'] !== run.repository) {
      return { refused: `GITHUB_REPOSITORY is ${env['GITHUB_REPOSITORY']}, the run is in ${run.repository}` };
    }
    const name = env['GITHUB_WORKFLOW'] ?? '';
    const jobId = env['GITHUB_JOB'] ?? '';
    const candidates: { file: WorkflowModel; job: JobModel; fileRef: string; caller?: JobModel[] }[] = [];
    const own = run.workflow.jobs.get(jobId);
    if (run.workflow.name === name && own && !own.uses) {
      candidates.push({ file: run.workflow, job: own, fileRef: run.ref });
    }
    for (const [uses, called] of run.called) {
      const job = called.jobs.get(jobId);
      if (called.name !== name || !job || job.uses) continue;
      const parsed = parseUses(uses);
      if (!parsed) continue;
      const callers = [...run.workflow.jobs.values()].filter((j) => j.uses === uses);
      candidates.push({
        file: called,
        job,
        fileRef: parsed.ref ? fullRef(parsed.ref) : run.ref,
        caller: callers,
      });
    }
    if (candidates.length === 0) {
      return { refused: `no job "${jobId}" in a workflow named "${name}" in run ${run.id}` };
    }
    if (candidates.length > 1) {
      return {
        refused: `ambiguous: ${candidates.map((c) => c.file.path).join(' and ')} both define job "${jobId}" in a workflow named "${name}"`,
      };
    }
    const c = candidates[0] as (typeof candidates)[number];
    const trusted = c.fileRef === `refs/heads/${run.defaultBranch}`;
    const untrustedSteps = run.ref !== `refs/heads/${run.defaultBranch}` && run.called.size > 0;
    if (trusted && c.file !== run.workflow && untrustedSteps) {
      const mixed = [...run.workflow.jobs.values()].some((j) => j.hasSteps);
      if (mixed) {
        return {
          refused: `${run.workflow.path} at ${run.ref} runs steps of its own next to ${c.file.path} from the default branch; act cannot keep those jobs apart, so the default-branch jobs get no credentials in the sandbox`,
        };
      }
    }

    const base = defaultPermissions(this.hooks.defaultPermissions());
    let permissions: PermissionMap;
    if (c.caller) {
      const callerPerms = c.caller.map((j) => j.permissions ?? run.workflow.permissions ?? base);
      const first = JSON.stringify(callerPerms[0]);
      if (callerPerms.length === 0 || callerPerms.some((p) => JSON.stringify(p) !== first)) {
        return { refused: `${c.file.path} is called by several jobs with different permissions` };
      }
      const limit = callerPerms[0] as PermissionMap;
      permissions = capPermissions(c.job.permissions ?? c.file.permissions ?? limit, limit);
    } else {
      permissions = c.job.permissions ?? c.file.permissions ?? base;
    }
    if (run.fork) {
      permissions = Object.fromEntries(
        Object.entries(permissions).map(([k, v]) => [
          k,
          k === 'id-token' ? 'none' : v === 'none' ? 'none' : 'read',
        ]),
      );
    }

    const leg = `${run.id}/${c.file.path}/${jobId}/${env['GITHUB_WORKSPACE'] ?? ''}`;
    const identity: JobIdentity = {
      run,
      file: c.file,
      job: c.job,
      fileRef: c.fileRef,
      trusted,
      permissions,
      key: leg,
      jobWorkflowRef: `${run.repository}/${c.file.path}@${c.fileRef}`,
      workflowRef: `${run.repository}/${run.workflow.path}@${run.ref}`,
    };
    const workspace = env['GITHUB_WORKSPACE'];
    if (workspace) {
      let leg = '';
      try {
        leg = String((JSON.parse(env['INPUT_STACK'] ?? '{}') as { name?: unknown }).name ?? '');
      } catch {
        leg = '';
      }
      this.hooks.onResolved?.(workspace, `${c.file.name} - ${jobId}${leg ? ` - ${leg}` : ''}`);
    }
    if (c.job.environment === undefined) return { identity };

    let environment = this.legEnvironments.get(leg);
    if (!environment) {
      let matrix: Record<string, unknown> | undefined;
      try {
        matrix = env['INPUT_STACK'] ? (JSON.parse(env['INPUT_STACK']) as Record<string, unknown>) : undefined;
      } catch {
        matrix = undefined;
      }
      const evaluated = evaluateEnvironment(c.job.environment, matrix);
      if ('unknown' in evaluated) {
        // A step before the one that carries the matrix (the checkout): the job's token, but no
        // ID token until the environment is known (its name is in the claims).
        if (!matrix && /^\$\{\{\s*matrix\./.test(c.job.environment.trim())) {
          return { identity: { ...identity, environmentPending: true } };
        }
        return { refused: evaluated.unknown };
      }
      environment = evaluated.name;
      this.legEnvironments.set(leg, environment);
    }
    const gate = this.admit(run, environment);
    if (gate) return { refused: gate };
    return { identity: { ...identity, environment } };
  }

  /** Whether a job of this run may enter the environment: branch policy, then reviewers. */
  private admit(run: SandboxRun, environment: string): string | undefined {
    const policy = this.hooks.environment(environment);
    if (!policy) return undefined; // GitHub creates it on first use, unprotected
    if (policy.branches) {
      // GitHub checks a pull_request run's head branch against deployment branch policies
      const branch = run.event.startsWith('pull_request')
        ? run.headRef
        : run.ref.startsWith('refs/heads/')
          ? run.ref.slice('refs/heads/'.length)
          : undefined;
      if (!branch || !policy.branches.some((b) => globToRegExp(b).test(branch))) {
        return `${run.ref} is not allowed to deploy to environment ${environment} (deployment branches: ${policy.branches.join(', ')})`;
      }
    }
    if (policy.reviewers.length === 0) return undefined;
    if (this.withheld.has(environment)) {
      return `environment ${environment} needs approval by ${policy.reviewers.join(', ')}; the sandbox withholds it (--withhold-approval)`;
    }
    const key = `${run.id}/${environment}`;
    if (!this.approved.has(key)) {
      this.approved.add(key);
      this.hooks.say(
        `sandbox: approving environment ${environment} for run ${run.id} (required reviewers ${policy.reviewers.join(', ')} in idlc.yaml)`,
      );
    }
    return undefined;
  }
}
