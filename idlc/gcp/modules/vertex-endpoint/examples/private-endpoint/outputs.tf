output "endpoint_resource_name" {
  description = "Endpoint to deploy models to."
  value       = module.chat_endpoint.endpoint_resource_name
}
