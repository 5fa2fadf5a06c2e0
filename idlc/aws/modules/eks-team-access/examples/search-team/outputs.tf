output "kubernetes_group" {
  description = "Group to bind in the team's RoleBindings."
  value       = module.team_access.kubernetes_group
}
