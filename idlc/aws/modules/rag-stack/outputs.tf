output "knowledge_base_id" {
  description = "ID of the knowledge base (knowledgeBaseId of Retrieve / RetrieveAndGenerate)."
  value       = module.bedrock.knowledge_base_id
}

output "knowledge_base_arn" {
  description = "ARN of the knowledge base: grant retriever roles bedrock:Retrieve on it."
  value       = module.bedrock.knowledge_base_arn
}

output "data_source_id" {
  description = "ID of the S3 data source (start an ingestion job after uploading documents)."
  value       = aws_bedrockagent_data_source.corpus.data_source_id
}

output "corpus_bucket_name" {
  description = "Bucket to upload corpus documents to."
  value       = module.corpus.bucket_name
}

output "corpus_bucket_arn" {
  description = "ARN of the corpus bucket."
  value       = module.corpus.bucket_arn
}

output "kms_key_arn" {
  description = "KMS key of the corpus, vectors and ingestion."
  value       = module.kms.key_arn
}

output "vector_store" {
  description = "Where the vectors live: type plus the S3 Vectors index ARN or the OpenSearch collection ARN/endpoint and index name."
  value = {
    type                 = var.vector_store
    s3_vectors_index_arn = one(aws_s3vectors_index.this[*].index_arn)
    collection_arn       = one(aws_opensearchserverless_collection.this[*].arn)
    collection_endpoint  = one(aws_opensearchserverless_collection.this[*].collection_endpoint)
    index_name           = local.opensearch ? var.opensearch.index_name : one(aws_s3vectors_index.this[*].index_name)
  }
}

output "knowledge_base_role_arn" {
  description = "Role Bedrock uses to embed and ingest the corpus."
  value       = aws_iam_role.knowledge_base.arn
}
