output "workload_identity_provider" {
  description = "For google-github-actions/auth."
  value       = module.baseline.workload_identity_provider
}

output "service_accounts" {
  description = "Plan and apply service accounts."
  value       = { plan = module.baseline.plan_service_account, apply = module.baseline.apply_service_account }
}
