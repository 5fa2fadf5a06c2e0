output "workload_identity_provider" {
  description = "workload_identity_provider for google-github-actions/auth."
  value       = module.baseline.workload_identity_provider
}

output "service_accounts" {
  description = "Plan and apply service accounts."
  value       = { plan = module.baseline.plan_service_account, apply = module.baseline.apply_service_account }
}

output "training_data_bucket" {
  description = "Fine-tuning data bucket."
  value       = module.training_data.url
}

output "chat_endpoint" {
  description = "Endpoint resource name to deploy the chat model to."
  value       = module.chat_endpoint.endpoint_resource_name
}
