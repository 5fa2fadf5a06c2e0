output "url" {
  description = "gs:// URL of the example bucket."
  value       = module.training_data.url
}
