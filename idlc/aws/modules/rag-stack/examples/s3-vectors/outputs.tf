output "knowledge_base_id" {
  description = "Knowledge base to query."
  value       = module.docs.knowledge_base_id
}

output "corpus_bucket_name" {
  description = "Bucket to upload documents to."
  value       = module.docs.corpus_bucket_name
}
