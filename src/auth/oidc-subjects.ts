/**
 * Who may hold which role: the OIDC subjects of the default branch's workflows, and the
 * workflow files they name. A leaf module (it imports nothing of the toolkit) shared by the
 * trust checks, `idlc setup-github`, the IAM module tests and the test doubles, so the
 * format lives in one place.
 *
 * GitHub builds a customized `sub` from `include_claim_keys` in order, each as `key:value`
 * (`repo` and `context` as in the default subject), with `:` inside a value written `%3A`:
 *   repo:acme/platform:pull_request:job_workflow_ref:acme/platform/.github/workflows/idlc-plan-run.yml@refs/heads/main
 */

/** The repository's subject customization (PUT /repos/{owner}/{repo}/actions/oidc/customization/sub). */
export const OIDC_SUB_CLAIM_KEYS = ['repo', 'context', 'job_workflow_ref'] as const;

/** The workflow files the trust boundary is drawn around (paths from the repository root). */
export const WORKFLOWS = {
  /** `pull_request`: PR-controlled caller; its runs hold the attested plan manifests. */
  planCaller: '.github/workflows/idlc-plan.yml',
  /** `workflow_call` at the default branch: detect + plan, the only holder of plan roles on PRs. */
  planRun: '.github/workflows/idlc-plan-run.yml',
  /** `workflow_run`: PR comment and checks, from the default branch. */
  report: '.github/workflows/idlc-report.yml',
  /** `push` to the default branch: the only holder of apply roles. */
  apply: '.github/workflows/idlc-apply.yml',
  /** `schedule` on the default branch: drift plans with the plan roles. */
  drift: '.github/workflows/idlc-drift.yml',
  /** `workflow_dispatch`: promotion of pins between envs. */
  promote: '.github/workflows/idlc-promote.yml',
} as const;

export interface RepoIdentity {
  /** owner/name */
  repository: string;
  defaultBranch: string;
}

/** GitHub escapes `:` inside a claim value (`environment:Production%3AV1`), never the `key:` separator. */
const escapeValue = (value: string) => value.replaceAll(':', '%3A');

/** `owner/repo/.github/workflows/x.yml@refs/heads/main`: what `job_workflow_ref` says for a job of that file on the default branch. */
export function jobWorkflowRef(id: RepoIdentity, workflowFile: string): string {
  return `${id.repository}/${workflowFile}@refs/heads/${id.defaultBranch}`;
}

function subject(id: RepoIdentity, context: string, workflowFile: string): string {
  return `repo:${id.repository}:${context}:job_workflow_ref:${jobWorkflowRef(id, workflowFile)}`;
}

/** The GitHub environment a plan job waits behind when the env has `plan_review`. */
export const planReviewEnvironment = (team: string, env: string) => `${team}-${env}-plan`;
/** The GitHub environment an apply job runs in. */
export const applyEnvironment = (team: string, env: string) => `${team}-${env}`;

/** PR plans of team/env: the plan-run workflow at the default branch (behind `<team>-<env>-plan` with plan review). */
export function planSubject(id: RepoIdentity, team: string, env: string, planReview: boolean): string {
  const context = planReview
    ? `environment:${escapeValue(planReviewEnvironment(team, env))}`
    : 'pull_request';
  return subject(id, context, WORKFLOWS.planRun);
}

/** Scheduled drift plans: the drift workflow on the default branch. */
export function driftSubject(id: RepoIdentity): string {
  return subject(id, `ref:${escapeValue(`refs/heads/${id.defaultBranch}`)}`, WORKFLOWS.drift);
}

/** Applies of team/env: the apply workflow at the default branch, in environment `<team>-<env>`. */
export function applySubject(id: RepoIdentity, team: string, env: string): string {
  return subject(id, `environment:${escapeValue(applyEnvironment(team, env))}`, WORKFLOWS.apply);
}
