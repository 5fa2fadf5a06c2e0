output "kubernetes_group" {
  description = "Kubernetes group every team principal belongs to (bind it in the team namespaces' RoleBindings)."
  value       = local.team_group
}

output "namespaces" {
  description = "Namespaces the team's access is scoped to."
  value       = var.namespaces
}

output "pod_identity_association_ids" {
  description = "Pod Identity association ID per key of pod_identities."
  value       = { for k, a in aws_eks_pod_identity_association.this : k => a.association_id }
}

output "pod_identity_external_ids" {
  description = "External ID per association: the team-account target role must require it (sts:ExternalId) in its trust policy."
  value       = { for k, a in aws_eks_pod_identity_association.this : k => a.external_id }
}
