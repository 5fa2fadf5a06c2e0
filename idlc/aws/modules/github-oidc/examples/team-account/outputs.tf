output "plan_role_arns" {
  description = "Plan roles per environment."
  value       = module.github_oidc.plan_role_arns
}

output "apply_role_arns" {
  description = "Apply roles per environment."
  value       = module.github_oidc.apply_role_arns
}

output "github_environments" {
  description = "GitHub environments to create (setup-github)."
  value       = module.github_oidc.github_environments
}

output "plan_subjects" {
  description = "OIDC subjects the plan roles trust."
  value       = module.github_oidc.plan_subjects
}
