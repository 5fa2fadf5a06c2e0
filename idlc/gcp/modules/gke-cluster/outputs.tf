output "cluster_name" {
  description = "Name of the cluster."
  value       = google_container_cluster.this.name
}

output "cluster_id" {
  description = "ID of the cluster (projects/P/locations/L/clusters/N)."
  value       = google_container_cluster.this.id
}

output "endpoint" {
  description = "Control plane endpoint (private when enable_private_endpoint)."
  value       = google_container_cluster.this.endpoint
  sensitive   = true
}

output "ca_certificate" {
  description = "Base64 CA certificate of the control plane."
  value       = one(google_container_cluster.this.master_auth[*].cluster_ca_certificate)
  sensitive   = true
}

output "workload_identity_pool" {
  description = "Workload Identity pool: bind Kubernetes service accounts as serviceAccount:<pool>[<namespace>/<ksa>]."
  value       = "${var.project_id}.svc.id.goog"
}

output "node_service_account" {
  description = "Email of the nodes' service account."
  value       = google_service_account.nodes.email
}

output "gpu_node_pool" {
  description = "Name of the GPU node pool (null when disabled)."
  value       = one(google_container_node_pool.gpu[*].name)
}
