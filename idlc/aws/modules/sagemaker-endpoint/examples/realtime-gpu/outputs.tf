output "endpoint_name" {
  description = "Name of the example endpoint."
  value       = module.llm.endpoint_name
}
