output "workload_identity_provider" {
  description = "Full provider name for google-github-actions/auth (workload_identity_provider input)."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "plan_service_account" {
  description = "Email of the plan service account (read-only, pull requests)."
  value       = google_service_account.plan.email
}

output "apply_service_account" {
  description = "Email of the apply service account (GitHub environments on the default branch)."
  value       = google_service_account.apply.email
}

output "attribute_condition" {
  description = "The CEL condition enforced at token exchange (for review)."
  value       = local.attribute_condition
}

output "project_number" {
  description = "Number of the project."
  value       = data.google_project.this.number
}

output "labels" {
  description = "The standard labels, for resources that do not inherit default_labels."
  value       = var.labels
}
