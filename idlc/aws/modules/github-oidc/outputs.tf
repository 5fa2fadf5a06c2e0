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

output "github_environments" {
  description = "GitHub environments that must exist (with required reviewers for protected envs) for the apply roles to be usable."
  value       = [for env in var.environments : "${var.team}-${env}"]
}
