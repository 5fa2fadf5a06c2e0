data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  s3_vectors = var.vector_store == "S3_VECTORS"
  opensearch = var.vector_store == "OPENSEARCH_SERVERLESS"

  embedding_model_arn = "arn:${local.partition}:bedrock:${local.region}::foundation-model/${var.embedding_model_id}"
  kb_role_name        = "${var.name}-knowledge-base"

  tags = merge(var.tags, { "idlc:rag-stack" = var.name })
}

# ---------------------------------------------------------------------------------------------
# Encryption and corpus
# ---------------------------------------------------------------------------------------------
module "kms" {
  source = "../kms-key"

  name        = "${var.name}-rag"
  description = "Encrypts the corpus, vectors and ingestion of RAG stack ${var.name}"
  # KMS checks that key policy principals exist: the reference orders the role first.
  user_arns = concat([aws_iam_role.knowledge_base.arn], var.reader_role_arns)
  tags      = local.tags
}

module "corpus" {
  source = "../s3-bucket"

  name                               = "${var.name}-corpus-${local.account_id}"
  kms_key_arn                        = module.kms.key_arn
  noncurrent_version_expiration_days = var.corpus_retention_days
  tags                               = local.tags
}

# ---------------------------------------------------------------------------------------------
# Vector store: S3 Vectors
# ---------------------------------------------------------------------------------------------
resource "aws_s3vectors_vector_bucket" "this" {
  count = local.s3_vectors ? 1 : 0

  vector_bucket_name = "${var.name}-vectors-${local.account_id}"

  encryption_configuration {
    sse_type    = "aws:kms"
    kms_key_arn = module.kms.key_arn
  }

  tags = local.tags
}

resource "aws_s3vectors_index" "this" {
  count = local.s3_vectors ? 1 : 0

  vector_bucket_name = aws_s3vectors_vector_bucket.this[0].vector_bucket_name
  index_name         = "bedrock-kb"
  data_type          = "float32"
  dimension          = var.embedding_dimensions
  distance_metric    = var.distance_metric

  metadata_configuration {
    non_filterable_metadata_keys = var.non_filterable_metadata_keys
  }

  tags = local.tags
}

# ---------------------------------------------------------------------------------------------
# Vector store: OpenSearch Serverless
# ---------------------------------------------------------------------------------------------
resource "aws_opensearchserverless_security_policy" "encryption" {
  count = local.opensearch ? 1 : 0

  name = "${var.name}-enc"
  type = "encryption"
  policy = jsonencode({
    Rules       = [{ ResourceType = "collection", Resource = ["collection/${var.name}"] }]
    AWSOwnedKey = false
    KmsARN      = module.kms.key_arn
  })
}

# Private collection: reachable by Bedrock (SourceServices) and the listed VPC endpoints only.
resource "aws_opensearchserverless_security_policy" "network" {
  count = local.opensearch ? 1 : 0

  name = "${var.name}-net"
  type = "network"
  policy = jsonencode([
    merge(
      {
        Rules = [
          { ResourceType = "collection", Resource = ["collection/${var.name}"] },
          { ResourceType = "dashboard", Resource = ["collection/${var.name}"] },
        ]
        AllowFromPublic = false
        SourceServices  = ["bedrock.amazonaws.com"]
      },
      length(var.opensearch.vpc_endpoint_ids) > 0 ? { SourceVPCEs = var.opensearch.vpc_endpoint_ids } : {},
    ),
  ])
}

resource "aws_opensearchserverless_access_policy" "data" {
  count = local.opensearch ? 1 : 0

  name = "${var.name}-data"
  type = "data"
  policy = jsonencode([{
    Rules = [
      {
        ResourceType = "collection"
        Resource     = ["collection/${var.name}"]
        Permission   = ["aoss:DescribeCollectionItems", "aoss:CreateCollectionItems", "aoss:UpdateCollectionItems"]
      },
      {
        ResourceType = "index"
        Resource     = ["index/${var.name}/*"]
        Permission   = ["aoss:DescribeIndex", "aoss:ReadDocument", "aoss:WriteDocument", "aoss:CreateIndex", "aoss:UpdateIndex"]
      },
    ]
    Principal = concat([aws_iam_role.knowledge_base.arn], var.opensearch.index_admin_principals)
  }])
}

resource "aws_opensearchserverless_collection" "this" {
  count = local.opensearch ? 1 : 0

  name             = var.name
  type             = "VECTORSEARCH"
  standby_replicas = var.opensearch.standby_replicas_enabled ? "ENABLED" : "DISABLED"

  tags = local.tags

  depends_on = [
    aws_opensearchserverless_security_policy.encryption,
    aws_opensearchserverless_security_policy.network,
  ]
}

# ---------------------------------------------------------------------------------------------
# Knowledge base role: embed with one model, read the corpus, read/write the vector store.
# ---------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "kb_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:bedrock:${local.region}:${local.account_id}:knowledge-base/*"]
    }
  }
}

resource "aws_iam_role" "knowledge_base" {
  name                 = local.kb_role_name
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.kb_trust.json

  tags = local.tags
}

data "aws_iam_policy_document" "kb" {
  statement {
    sid       = "Embed"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.embedding_model_arn]
  }

  statement {
    sid       = "ListCorpus"
    actions   = ["s3:ListBucket"]
    resources = [module.corpus.bucket_arn]

    dynamic "condition" {
      for_each = length(var.corpus_prefixes) > 0 ? [1] : []
      content {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [for p in var.corpus_prefixes : "${p}*"]
      }
    }
  }

  statement {
    sid       = "ReadCorpus"
    actions   = ["s3:GetObject"]
    resources = length(var.corpus_prefixes) > 0 ? [for p in var.corpus_prefixes : "${module.corpus.bucket_arn}/${p}*"] : ["${module.corpus.bucket_arn}/*"]
  }

  statement {
    sid       = "UseStackKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.kms.key_arn]
  }

  dynamic "statement" {
    for_each = local.s3_vectors ? [1] : []
    content {
      sid = "ReadWriteVectors"
      actions = [
        "s3vectors:DeleteVectors", "s3vectors:GetIndex", "s3vectors:GetVectors", "s3vectors:PutVectors",
        "s3vectors:QueryVectors",
      ]
      resources = [aws_s3vectors_index.this[0].index_arn]
    }
  }

  dynamic "statement" {
    for_each = local.opensearch ? [1] : []
    content {
      sid       = "OpenSearchApi"
      actions   = ["aoss:APIAccessAll"]
      resources = [aws_opensearchserverless_collection.this[0].arn]
    }
  }
}

resource "aws_iam_role_policy" "knowledge_base" {
  name   = "knowledge-base"
  role   = aws_iam_role.knowledge_base.id
  policy = data.aws_iam_policy_document.kb.json
}

# ---------------------------------------------------------------------------------------------
# Knowledge base (bedrock module) and its S3 data source.
# ---------------------------------------------------------------------------------------------
module "bedrock" {
  source = "../bedrock"

  name      = var.name
  team      = var.team
  guardrail = { enabled = false }

  knowledge_base = {
    name                 = var.name
    description          = "RAG corpus ${var.name} of team ${var.team}"
    role_arn             = aws_iam_role.knowledge_base.arn
    embedding_model_arn  = local.embedding_model_arn
    embedding_dimensions = var.embedding_dimensions
    storage_type         = var.vector_store
    s3_vectors_index_arn = local.s3_vectors ? aws_s3vectors_index.this[0].index_arn : null
    opensearch = local.opensearch ? {
      collection_arn = aws_opensearchserverless_collection.this[0].arn
      index_name     = var.opensearch.index_name
    } : null
  }

  tags = local.tags

  # The role must be able to reach the store before Bedrock validates the knowledge base.
  depends_on = [aws_iam_role_policy.knowledge_base, aws_opensearchserverless_access_policy.data]
}

resource "aws_bedrockagent_data_source" "corpus" {
  knowledge_base_id    = module.bedrock.knowledge_base_id
  name                 = "${var.name}-corpus"
  description          = "Documents of ${module.corpus.bucket_name}"
  data_deletion_policy = "DELETE"

  data_source_configuration {
    type = "S3"

    s3_configuration {
      bucket_arn         = module.corpus.bucket_arn
      inclusion_prefixes = length(var.corpus_prefixes) > 0 ? var.corpus_prefixes : null
    }
  }

  server_side_encryption_configuration {
    kms_key_arn = module.kms.key_arn
  }

  vector_ingestion_configuration {
    chunking_configuration {
      chunking_strategy = "FIXED_SIZE"

      fixed_size_chunking_configuration {
        max_tokens         = var.chunking.max_tokens
        overlap_percentage = var.chunking.overlap_percentage
      }
    }
  }
}
