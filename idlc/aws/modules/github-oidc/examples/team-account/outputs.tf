output "plan_role_arns" {
  description = "Plan roles per environment."
  value       = module.github_oidc.plan_role_arns
}

output "apply_role_arns" {
  description = "Apply roles per environment."
  value       = module.github_oidc.apply_role_arns
}
