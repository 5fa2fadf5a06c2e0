output "repository_url" {
  description = "Where CI pushes the image."
  value       = module.model_server.repository_url
}
