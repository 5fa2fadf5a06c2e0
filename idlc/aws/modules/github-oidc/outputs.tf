output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the roles trust."
  value       = local.oidc_provider_arn
}

output "plan_role_arns" {
  description = "Plan role ARN per environment (must equal naming.aws.plan_role in idlc.yaml)."
  value       = { for env, role in aws_iam_role.plan : env => role.arn }
}

output "apply_role_arns" {
  description = "Apply role ARN per environment (must equal naming.aws.apply_role in idlc.yaml)."
  value       = { for env, role in aws_iam_role.apply : env => role.arn }
}

output "plan_subjects" {
  description = "Exact OIDC subjects each plan role trusts, per environment: the plan-run workflow of pull requests (or of the <team>-<env>-plan environment for plan_review_envs), the drift workflow, plan_extra_subjects. Same format as src/auth/oidc-subjects.ts."
  value       = local.plan_subjects
}

output "apply_subjects" {
  description = "Exact OIDC subject each apply role trusts, per environment: the apply workflow at the default branch in GitHub environment <team>-<env>."
  value       = local.apply_subjects
}

output "oidc_sub_claim_keys" {
  description = "The repository's OIDC subject customization these subjects assume (PUT /repos/{owner}/{repo}/actions/oidc/customization/sub)."
  value       = ["repo", "context", "job_workflow_ref"]
}

output "trust_policies" {
  description = "Trust policy JSON of every role, by role name, as set on the roles (for review and for the STS trust test double)."
  value = merge(
    { for role in aws_iam_role.plan : role.name => role.assume_role_policy },
    { for role in aws_iam_role.apply : role.name => role.assume_role_policy },
  )
}

output "github_environments" {
  description = "GitHub environments that must exist: <team>-<env> for the apply roles (required reviewers for protected envs, deployment branch = the default branch) and <team>-<env>-plan for plan_review_envs (required reviewers)."
  value = concat(
    [for env in var.environments : "${var.team}-${env}"],
    [for env in var.plan_review_envs : "${var.team}-${env}-plan"],
  )
}
