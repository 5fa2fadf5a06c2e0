output "service_name" {
  description = "Name of the example service."
  value       = module.embedder.service_name
}
