output "backend_config" {
  description = "Backend settings for idlc.yaml / -backend-config."
  value       = module.state.backend_config
}
