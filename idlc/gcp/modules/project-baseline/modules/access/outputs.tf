output "plan_subjects" {
  description = "Exact OIDC subjects (attribute.sub) that may impersonate the plan service account."
  value       = local.plan_subjects
}

output "apply_subjects" {
  description = "Exact OIDC subjects (attribute.sub) that may impersonate the apply service account."
  value       = local.apply_subjects
}

output "attribute_condition" {
  description = "CEL condition of the workload identity pool provider."
  value       = local.attribute_condition
}

output "attribute_mapping" {
  description = "Attribute mapping (CEL) of the workload identity pool provider."
  value       = local.attribute_mapping
}

output "members" {
  description = "principalSet member of each subject, by subject."
  value       = local.member
}

output "storage_conditions" {
  description = "IAM condition expressions (CEL) on the state bucket's objects, by grant; empty without a state bucket."
  value       = local.conditions
}
