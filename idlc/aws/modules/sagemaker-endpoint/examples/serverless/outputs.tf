output "endpoint_name" {
  description = "Name of the example endpoint."
  value       = module.reranker.endpoint_name
}
