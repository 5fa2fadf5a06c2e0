/**
 * Actions: workflows, workflow runs and their jobs, from the run store (runs.ts). Artifacts
 * are served by rest-handlers.ts; they are written only through `state.uploadArtifact` with a
 * job token of the run.
 */

import { type HandlerMap, notFound, num, page, type RestRequest, str } from './rest-kit.ts';
import type { Ctx } from './rest-objects.ts';
import { user } from './rest-objects.ts';
import type { JobRecord, WorkflowRunRecord } from './runs.ts';

type Json = Record<string, unknown>;

function example(ctx: Ctx, operationId: string, pick: (ex: Json) => Json): Json {
  return structuredClone(pick(ctx.contract.example(operationId, 200) as Json));
}

const repoApi = (ctx: Ctx) => `${ctx.api}/repos/${ctx.state.fullName}`;

/** A minimal repository: this one, or a fork by owner/name. */
function minimalRepo(ctx: Ctx, base: Json, fullName = ctx.state.fullName): Json {
  const [owner = '', name = ''] = fullName.split('/');
  const fork = fullName !== ctx.state.fullName;
  return {
    ...base,
    id: fork ? ctx.state.runs.forkId(fullName) : ctx.state.repoId,
    node_id: fork ? `R_fork_${name}` : ctx.state.repoNodeId,
    name,
    full_name: fullName,
    owner: {
      ...(base['owner'] as Json),
      login: owner,
      url: `${ctx.api}/users/${owner}`,
      html_url: `${ctx.web}/${owner}`,
    },
    private: false,
    fork,
    html_url: `${ctx.web}/${fullName}`,
    url: `${ctx.api}/repos/${fullName}`,
  };
}

export function workflowRun(ctx: Ctx, r: WorkflowRunRecord, excludePullRequests = false): Json {
  const base = example(ctx, 'actions/get-workflow-run', (ex) => ex);
  const s = ctx.state;
  const url = `${repoApi(ctx)}/actions/runs/${r.id}`;
  return {
    ...base,
    id: r.id,
    name: r.name,
    node_id: r.nodeId,
    check_suite_id: r.id + 1,
    check_suite_node_id: `CS_${r.id}`,
    head_branch: r.headBranch,
    head_sha: r.headSha,
    path: r.path,
    run_number: r.runNumber,
    run_attempt: r.runAttempt,
    event: r.event,
    display_title: r.displayTitle,
    status: r.status,
    conclusion: r.conclusion,
    workflow_id: r.workflowId,
    url,
    html_url: `${ctx.web}/${s.fullName}/actions/runs/${r.id}`,
    pull_requests: excludePullRequests
      ? []
      : r.pullRequests.flatMap((n) => {
          const pr = s.issues.get(n);
          if (!pr?.pull) return [];
          const mini = { id: s.repoId, url: repoApi(ctx), name: s.repo };
          return [
            {
              id: pr.id,
              number: n,
              url: `${repoApi(ctx)}/pulls/${n}`,
              head: { ref: pr.pull.headRef, sha: pr.pull.headSha, repo: mini },
              base: { ref: pr.pull.baseRef, sha: pr.pull.baseSha, repo: mini },
            },
          ];
        }),
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    run_started_at: r.runStartedAt,
    actor: user(ctx, r.actor),
    triggering_actor: user(ctx, r.actor),
    referenced_workflows: [],
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${repoApi(ctx)}/check-suites/${r.id + 1}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    previous_attempt_url: r.runAttempt > 1 ? `${url}/attempts/${r.runAttempt - 1}` : null,
    workflow_url: `${repoApi(ctx)}/actions/workflows/${r.workflowId}`,
    head_commit: headCommit(ctx, r, base['head_commit'] as Json),
    repository: minimalRepo(ctx, base['repository'] as Json),
    head_repository: minimalRepo(ctx, base['head_repository'] as Json, r.headRepository),
  };
}

function headCommit(ctx: Ctx, r: WorkflowRunRecord, base: Json): Json {
  const c = ctx.state.commits.get(r.headSha);
  return {
    ...base,
    id: r.headSha,
    tree_id: r.headSha.split('').reverse().join(''),
    message: c?.message ?? '',
    timestamp: c?.date ?? r.createdAt,
  };
}

function job(ctx: Ctx, r: WorkflowRunRecord, j: JobRecord): Json {
  const base = example(ctx, 'actions/get-job-for-workflow-run', (ex) => ex);
  return {
    ...base,
    id: j.id,
    run_id: r.id,
    run_attempt: j.runAttempt,
    run_url: `${repoApi(ctx)}/actions/runs/${r.id}`,
    node_id: j.nodeId,
    head_sha: r.headSha,
    head_branch: r.headBranch,
    url: `${repoApi(ctx)}/actions/jobs/${j.id}`,
    html_url: `${ctx.web}/${ctx.state.fullName}/actions/runs/${r.id}/job/${j.id}`,
    status: j.status,
    conclusion: j.conclusion,
    created_at: j.createdAt,
    started_at: j.startedAt,
    completed_at: j.completedAt,
    name: j.name,
    steps: [],
    check_run_url: `${repoApi(ctx)}/check-runs/${j.id}`,
    labels: ['ubuntu-latest'],
    runner_id: 1,
    runner_name: 'GitHub Actions 1',
    runner_group_id: 1,
    runner_group_name: 'GitHub Actions',
    workflow_name: r.name,
  };
}

function workflow(ctx: Ctx, path: string): Json {
  const base = example(ctx, 'actions/get-workflow', (ex) => ex);
  const id = ctx.state.runs.workflowId(path);
  return {
    ...base,
    id,
    node_id: `W_${id}`,
    name: (path.split('/').pop() ?? path).replace(/\.ya?ml$/, ''),
    path,
    state: 'active',
    url: `${repoApi(ctx)}/actions/workflows/${id}`,
    html_url: `${ctx.web}/${ctx.state.fullName}/blob/${ctx.state.defaultBranch}/${path}`,
    badge_url: `${ctx.web}/${ctx.state.fullName}/workflows/${encodeURIComponent(path)}/badge.svg`,
  };
}

const STATUSES = new Set(['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending']);

/** The filters list-workflow-runs accepts (`status` takes a status or a conclusion). */
function filterRuns(req: RestRequest, runs: WorkflowRunRecord[]): WorkflowRunRecord[] {
  const branch = str(req.query['branch']);
  const event = str(req.query['event']);
  const status = str(req.query['status']);
  const headSha = str(req.query['head_sha']);
  const actor = str(req.query['actor']);
  return runs.filter(
    (r) =>
      (!branch || r.headBranch === branch) &&
      (!event || r.event === event) &&
      (!headSha || r.headSha === headSha) &&
      (!actor || r.actor.login === actor) &&
      (!status || (STATUSES.has(status) ? r.status === status : r.conclusion === status)),
  );
}

function listRuns(req: RestRequest, ctx: Ctx, runs: WorkflowRunRecord[]) {
  const list = filterRuns(req, runs);
  const exclude = str(req.query['exclude_pull_requests']) === 'true';
  return page(req, ctx, list, (p) => ({
    total_count: list.length,
    workflow_runs: p.map((r) => workflowRun(ctx, r, exclude)),
  }));
}

export const actionsHandlers: HandlerMap = {
  'actions/list-repo-workflows': (req, ctx) => {
    const paths = ctx.state.runs.workflowPaths();
    return page(req, ctx, paths, (p) => ({
      total_count: paths.length,
      workflows: p.map((x) => workflow(ctx, x)),
    }));
  },
  'actions/get-workflow': (req, ctx) => {
    const path = ctx.state.runs.findWorkflow(String(req.params['workflow_id']));
    return path ? { status: 200, body: workflow(ctx, path) } : notFound();
  },
  'actions/list-workflow-runs': (req, ctx) => {
    const path = ctx.state.runs.findWorkflow(String(req.params['workflow_id']));
    if (!path) return notFound();
    return listRuns(
      req,
      ctx,
      ctx.state.runs.list().filter((r) => r.path === path),
    );
  },
  'actions/list-workflow-runs-for-repo': (req, ctx) => listRuns(req, ctx, ctx.state.runs.list()),
  'actions/get-workflow-run': (req, ctx) => {
    const r = ctx.state.runs.get(Number(req.params['run_id']));
    const exclude = str(req.query['exclude_pull_requests']) === 'true';
    return r ? { status: 200, body: workflowRun(ctx, r, exclude) } : notFound();
  },
  'actions/get-workflow-run-attempt': (req, ctx) => {
    const r = ctx.state.runs.get(Number(req.params['run_id']));
    const attempt = Number(req.params['attempt_number']);
    if (!r || attempt < 1 || attempt > r.runAttempt) return notFound();
    // earlier attempts: what the run looked like then is not kept; report it as completed
    const body = workflowRun(ctx, r);
    if (attempt < r.runAttempt) Object.assign(body, { run_attempt: attempt, status: 'completed' });
    return { status: 200, body };
  },
  'actions/list-jobs-for-workflow-run': (req, ctx) => {
    const r = ctx.state.runs.get(Number(req.params['run_id']));
    if (!r) return notFound();
    const all = str(req.query['filter']) === 'all';
    const jobs = r.jobs.filter((j) => all || j.runAttempt === r.runAttempt);
    return page(req, ctx, jobs, (p) => ({ total_count: jobs.length, jobs: p.map((j) => job(ctx, r, j)) }));
  },
  'actions/list-jobs-for-workflow-run-attempt': (req, ctx) => {
    const r = ctx.state.runs.get(Number(req.params['run_id']));
    const attempt = num(req.params['attempt_number'], 0);
    if (!r || attempt < 1 || attempt > r.runAttempt) return notFound();
    const jobs = r.jobs.filter((j) => j.runAttempt === attempt);
    return page(req, ctx, jobs, (p) => ({ total_count: jobs.length, jobs: p.map((j) => job(ctx, r, j)) }));
  },
  'actions/get-job-for-workflow-run': (req, ctx) => {
    const id = Number(req.params['job_id']);
    for (const r of ctx.state.runs.list()) {
      const j = r.jobs.find((x) => x.id === id);
      if (j) return { status: 200, body: job(ctx, r, j) };
    }
    return notFound();
  },
};
