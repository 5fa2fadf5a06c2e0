output "cluster_name" {
  description = "Name of the example cluster."
  value       = module.gke.cluster_name
}
