output "inference_profile_arns" {
  description = "modelId per application."
  value       = module.bedrock.inference_profile_arns
}

output "guardrail" {
  description = "Guardrail identifier and version to pass on each call."
  value       = { id = module.bedrock.guardrail_id, version = module.bedrock.guardrail_version }
}
