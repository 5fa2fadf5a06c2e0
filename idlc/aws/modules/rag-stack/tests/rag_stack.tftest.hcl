mock_provider "aws" {
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/idlc/test" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "200000000001" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::200000000001:role/search-dev-docs-knowledge-base" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:200000000001:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::search-dev-docs-corpus-200000000001" }
  }
  mock_resource "aws_opensearchserverless_collection" {
    defaults = { arn = "arn:aws:aoss:eu-west-1:200000000001:collection/kb0123456789abcdef" }
  }
  mock_resource "aws_s3vectors_index" {
    defaults = { index_arn = "arn:aws:s3vectors:eu-west-1:200000000001:bucket/search-dev-docs-vectors-200000000001/index/bedrock-kb" }
  }
}

variables {
  name                     = "search-dev-docs"
  team                     = "search"
  permissions_boundary_arn = "arn:aws:iam::100000000001:policy/idlc-workload-boundary"
}

run "s3_vectors_by_default" {
  command = apply

  assert {
    condition     = length(aws_s3vectors_vector_bucket.this) == 1 && length(aws_opensearchserverless_collection.this) == 0
    error_message = "S3 Vectors is the default vector store."
  }

  assert {
    condition     = aws_s3vectors_index.this[0].dimension == 1024 && aws_s3vectors_index.this[0].distance_metric == "cosine"
    error_message = "The index must match the embedding model (1024 dimensions, cosine)."
  }

  assert {
    condition     = toset(aws_s3vectors_index.this[0].metadata_configuration[0].non_filterable_metadata_keys) == toset(["AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA"])
    error_message = "Bedrock's text and metadata keys must be non-filterable."
  }

  assert {
    condition     = aws_s3vectors_vector_bucket.this[0].encryption_configuration[0].sse_type == "aws:kms"
    error_message = "Vectors must be encrypted with the stack key."
  }

  assert {
    condition     = aws_bedrockagent_data_source.corpus.data_source_configuration[0].type == "S3"
    error_message = "The corpus bucket must be the data source."
  }

  assert {
    condition     = aws_bedrockagent_data_source.corpus.vector_ingestion_configuration[0].chunking_configuration[0].fixed_size_chunking_configuration[0].max_tokens == 512
    error_message = "Default chunking is 512 tokens."
  }
}

run "knowledge_base_role_is_least_privilege" {
  command = apply

  assert {
    condition = toset(flatten([for s in data.aws_iam_policy_document.kb.statement : tolist(s.actions)])) == toset([
      "bedrock:InvokeModel", "s3:ListBucket", "s3:GetObject", "kms:Decrypt", "kms:GenerateDataKey",
      "s3vectors:DeleteVectors", "s3vectors:GetIndex", "s3vectors:GetVectors", "s3vectors:PutVectors", "s3vectors:QueryVectors",
    ])
    error_message = "The knowledge base role must get exactly embed, corpus read, key use and vector access."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.kb.statement : s if s.sid == "Embed"]).resources == toset(["arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0"])
    error_message = "The role may invoke only the embedding model."
  }
}

run "opensearch_serverless_path" {
  command = plan

  variables {
    vector_store = "OPENSEARCH_SERVERLESS"
    opensearch   = { standby_replicas_enabled = false }
  }

  assert {
    condition     = aws_opensearchserverless_collection.this[0].type == "VECTORSEARCH" && aws_opensearchserverless_collection.this[0].standby_replicas == "DISABLED"
    error_message = "A vector search collection must be created."
  }

  assert {
    condition     = jsondecode(aws_opensearchserverless_security_policy.network[0].policy)[0].AllowFromPublic == false
    error_message = "The collection must not be public."
  }

  assert {
    condition     = length(aws_s3vectors_vector_bucket.this) == 0
    error_message = "No S3 Vectors bucket on the OpenSearch path."
  }
}

run "rejects_long_names" {
  command = plan

  variables {
    name = "search-dev-a-very-long-corpus-name"
  }

  expect_failures = [var.name]
}

run "every_role_carries_the_permissions_boundary" {
  command = plan

  assert {
    condition     = aws_iam_role.knowledge_base.permissions_boundary == var.permissions_boundary_arn
    error_message = "Every role the module creates must carry the permissions boundary: the team's apply role may create <team>-* roles only with it."
  }
}

run "rejects_a_boundary_that_is_not_a_policy_arn" {
  command = plan

  variables {
    permissions_boundary_arn = "idlc-workload-boundary"
  }

  expect_failures = [var.permissions_boundary_arn]
}
