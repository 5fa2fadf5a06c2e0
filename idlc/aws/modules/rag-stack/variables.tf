variable "name" {
  description = "Name of the RAG stack, <team>-<env>-<corpus> (e.g. \"search-dev-docs\"); prefixes every resource. At most 28 characters (OpenSearch Serverless names are limited to 32)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,26}[a-z0-9]$", var.name))
    error_message = "name must be 3-28 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "team" {
  description = "Team that owns the corpus (a key of teams in idlc.yaml)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.team))
    error_message = "team must be 3-32 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "vector_store" {
  description = "Vector store: \"S3_VECTORS\" (pay per use, default) or \"OPENSEARCH_SERVERLESS\" (hybrid search, always-on OCUs; its vector index must be created by the ingestion job or the opensearch provider - see README)."
  type        = string
  default     = "S3_VECTORS"

  validation {
    condition     = contains(["S3_VECTORS", "OPENSEARCH_SERVERLESS"], var.vector_store)
    error_message = "vector_store must be \"S3_VECTORS\" or \"OPENSEARCH_SERVERLESS\"."
  }
}

variable "embedding_model_id" {
  description = "Bedrock embedding model ID, e.g. \"amazon.titan-embed-text-v2:0\" or \"cohere.embed-multilingual-v3\"."
  type        = string
  default     = "amazon.titan-embed-text-v2:0"

  validation {
    condition     = can(regex("^[a-z0-9-]+\\.[a-z0-9.:-]+$", var.embedding_model_id))
    error_message = "embedding_model_id must be a Bedrock model ID such as \"amazon.titan-embed-text-v2:0\"."
  }
}

variable "embedding_dimensions" {
  description = "Vector dimensions produced by the embedding model (Titan Text v2: 256, 512 or 1024; Cohere v3: 1024)."
  type        = number
  default     = 1024

  validation {
    condition     = var.embedding_dimensions >= 1 && var.embedding_dimensions <= 4096 && floor(var.embedding_dimensions) == var.embedding_dimensions
    error_message = "embedding_dimensions must be a whole number between 1 and 4096."
  }
}

variable "distance_metric" {
  description = "Similarity metric of the S3 Vectors index: cosine or euclidean."
  type        = string
  default     = "cosine"

  validation {
    condition     = contains(["cosine", "euclidean"], var.distance_metric)
    error_message = "distance_metric must be \"cosine\" or \"euclidean\"."
  }
}

variable "non_filterable_metadata_keys" {
  description = "S3 Vectors metadata keys stored but not filterable. Bedrock writes the chunk text and its metadata under these keys; filterable metadata is limited in size, so they must be non-filterable."
  type        = list(string)
  default     = ["AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA"]
}

variable "opensearch" {
  description = "OpenSearch Serverless settings (vector_store = OPENSEARCH_SERVERLESS): the vector index name, the principals allowed to create it, VPC endpoints allowed to reach the collection, and standby replicas (off halves the minimum OCUs; keep on in prod)."
  type = object({
    index_name               = optional(string, "bedrock-kb")
    index_admin_principals   = optional(list(string), [])
    vpc_endpoint_ids         = optional(list(string), [])
    standby_replicas_enabled = optional(bool, true)
  })
  default = {}

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{0,254}$", var.opensearch.index_name))
    error_message = "opensearch.index_name must be a lowercase OpenSearch index name."
  }
}

variable "chunking" {
  description = "Fixed-size chunking of the corpus documents: tokens per chunk and overlap percentage."
  type = object({
    max_tokens         = optional(number, 512)
    overlap_percentage = optional(number, 20)
  })
  default = {}

  validation {
    condition     = var.chunking.max_tokens >= 20 && var.chunking.max_tokens <= 8192 && var.chunking.overlap_percentage >= 1 && var.chunking.overlap_percentage <= 99
    error_message = "chunking.max_tokens must be 20-8192 and chunking.overlap_percentage 1-99."
  }
}

variable "corpus_prefixes" {
  description = "Key prefixes of the corpus bucket that the data source ingests (empty = the whole bucket)."
  type        = list(string)
  default     = []
}

variable "corpus_retention_days" {
  description = "Days after which noncurrent versions of corpus documents are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.corpus_retention_days >= 1
    error_message = "corpus_retention_days must be at least 1."
  }
}

variable "reader_role_arns" {
  description = "Workload roles (retriever APIs) that query the knowledge base; they get kms:Decrypt on the stack key. Grant them bedrock:Retrieve on output knowledge_base_arn in their own policy."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource of the stack."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary set on every IAM role this module creates (aws_iam_role.knowledge_base). Required: the team's apply role may create or change <team>-* roles only when they carry this boundary (idlc/aws/modules/github-oidc), e.g. arn:aws:iam::ACCOUNT:policy/idlc-workload-boundary."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN: arn:aws:iam::ACCOUNT:policy/NAME."
  }
}
