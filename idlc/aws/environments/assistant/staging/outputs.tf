output "inference_profile_arns" {
  description = "modelId per application."
  value       = module.bedrock.inference_profile_arns
}

output "guardrail" {
  description = "Guardrail id and version to pass on every call."
  value       = { id = module.bedrock.guardrail_id, version = module.bedrock.guardrail_version }
}

output "llm_endpoint_name" {
  description = "SageMaker endpoint of the self-hosted LLM."
  value       = module.llm.endpoint_name
}

output "model_server_repository_url" {
  description = "Where CI pushes the model-server image."
  value       = module.model_server_image.repository_url
}

output "model_bucket" {
  description = "Where model artifacts are uploaded (under llm/)."
  value       = module.models.bucket_name
}
