output "endpoint_id" {
  description = "Numeric ID of the endpoint (the ENDPOINT_ID of predict calls and of the endpoint_id metric label)."
  value       = local.endpoint_id
}

output "endpoint_resource_name" {
  description = "Resource name projects/<project>/locations/<region>/endpoints/<id>."
  value       = "projects/${var.project_id}/locations/${var.region}/endpoints/${local.endpoint_id}"
}

output "deployed_model_id" {
  description = "ID of the deployed model (mode model_garden; null otherwise)."
  value       = one(google_vertex_ai_endpoint_with_model_garden_deployment.this[*].deployed_model_id)
}
