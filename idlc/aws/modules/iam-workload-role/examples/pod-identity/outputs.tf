output "role_arn" {
  description = "ARN of the example workload role."
  value       = module.retriever_role.role_arn
}
