output "workload_identity_provider" {
  description = "Full provider name for google-github-actions/auth (workload_identity_provider input)."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "plan_service_account" {
  description = "Email of the plan service account (read-only: the default branch's plan-run and drift workflows)."
  value       = google_service_account.plan.email
}

output "apply_service_account" {
  description = "Email of the apply service account (the default branch's apply workflow in the GitHub environments)."
  value       = google_service_account.apply.email
}

output "plan_subjects" {
  description = "Exact OIDC subjects (attribute.sub) that may impersonate the plan service account; same format as src/auth/oidc-subjects.ts."
  value       = module.access.plan_subjects
}

output "apply_subjects" {
  description = "Exact OIDC subjects (attribute.sub) that may impersonate the apply service account."
  value       = module.access.apply_subjects
}

output "attribute_condition" {
  description = "The CEL condition enforced at token exchange (for review)."
  value       = module.access.attribute_condition
}

output "project_number" {
  description = "Number of the project."
  value       = data.google_project.this.number
}

output "labels" {
  description = "The standard labels, for resources that do not inherit default_labels."
  value       = var.labels
}
