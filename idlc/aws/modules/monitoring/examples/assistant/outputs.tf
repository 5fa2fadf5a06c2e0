output "dashboard_name" {
  description = "Dashboard of the example."
  value       = module.monitoring.dashboard_name
}
