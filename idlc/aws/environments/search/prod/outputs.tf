output "knowledge_base_id" {
  description = "Knowledge base of the docs corpus."
  value       = module.docs.knowledge_base_id
}

output "corpus_bucket" {
  description = "Upload documents under docs/ here, then start an ingestion job."
  value       = module.docs.corpus_bucket_name
}

output "answer_profile_arn" {
  description = "modelId for answer generation."
  value       = module.bedrock.inference_profile_arns["answer"]
}

output "guardrail" {
  description = "Guardrail id and version to pass on every call."
  value       = { id = module.bedrock.guardrail_id, version = module.bedrock.guardrail_version }
}

output "retriever_repository_url" {
  description = "Where CI pushes the retriever image."
  value       = module.retriever_image.repository_url
}
