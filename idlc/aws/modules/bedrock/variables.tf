variable "name" {
  description = "Name prefix, usually <team>-<env> (e.g. \"assistant-dev\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "team" {
  description = "Team that owns the usage (tagged on every inference profile so Bedrock spend is attributed per team)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.team))
    error_message = "team must be 3-32 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "inference_profiles" {
  description = "Application inference profiles, key = application name. Invoke the profile ARN instead of the model ID: usage and cost are then tracked per application and team (tags), and the model can be swapped behind it. model_source_arn is a foundation model ARN or a system-defined (cross-region) inference profile ARN."
  type = map(object({
    model_source_arn = string
    description      = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k, p in var.inference_profiles : can(regex("^[a-z][a-z0-9-]{0,40}$", k)) && can(regex("^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:([0-9]{12})?:(foundation-model|inference-profile)/.+$", p.model_source_arn))])
    error_message = "inference_profiles keys must be lowercase names (letters, digits, '-') and model_source_arn a Bedrock foundation-model or inference-profile ARN, e.g. arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0."
  }
}

variable "guardrail" {
  description = "Guardrail applied by the application (guardrailIdentifier + guardrailVersion on Converse/InvokeModel): content filters, prompt-attack filter, PII handling, denied topics and a profanity list. A new immutable version is published on every change."
  type = object({
    enabled                   = optional(bool, true)
    content_filter_strength   = optional(string, "HIGH")
    prompt_attack_strength    = optional(string, "HIGH")
    pii_anonymize             = optional(list(string), ["EMAIL", "PHONE", "CREDIT_DEBIT_CARD_NUMBER", "INTERNATIONAL_BANK_ACCOUNT_NUMBER", "US_SOCIAL_SECURITY_NUMBER"])
    pii_block                 = optional(list(string), ["AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD"])
    profanity_filter          = optional(bool, true)
    blocked_input_messaging   = optional(string, "Sorry, I can't help with that request.")
    blocked_outputs_messaging = optional(string, "Sorry, I can't provide that answer.")
    denied_topics = optional(list(object({
      name       = string
      definition = string
      examples   = optional(list(string), [])
    })), [])
  })
  default = {}

  validation {
    condition     = contains(["NONE", "LOW", "MEDIUM", "HIGH"], var.guardrail.content_filter_strength) && contains(["NONE", "LOW", "MEDIUM", "HIGH"], var.guardrail.prompt_attack_strength)
    error_message = "guardrail.content_filter_strength and guardrail.prompt_attack_strength must be NONE, LOW, MEDIUM or HIGH."
  }

  validation {
    condition = alltrue([for e in concat(var.guardrail.pii_anonymize, var.guardrail.pii_block) : contains([
      "ADDRESS", "AGE", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "CA_HEALTH_NUMBER", "CA_SOCIAL_INSURANCE_NUMBER",
      "CREDIT_DEBIT_CARD_CVV", "CREDIT_DEBIT_CARD_EXPIRY", "CREDIT_DEBIT_CARD_NUMBER", "DRIVER_ID", "EMAIL",
      "INTERNATIONAL_BANK_ACCOUNT_NUMBER", "IP_ADDRESS", "LICENSE_PLATE", "MAC_ADDRESS", "NAME", "PASSWORD", "PHONE",
      "PIN", "SWIFT_CODE", "UK_NATIONAL_HEALTH_SERVICE_NUMBER", "UK_NATIONAL_INSURANCE_NUMBER",
      "UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER", "URL", "USERNAME", "US_BANK_ACCOUNT_NUMBER", "US_BANK_ROUTING_NUMBER",
      "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", "US_PASSPORT_NUMBER", "US_SOCIAL_SECURITY_NUMBER",
      "VEHICLE_IDENTIFICATION_NUMBER",
    ], e)])
    error_message = "guardrail.pii_anonymize and guardrail.pii_block must list Bedrock Guardrails PII entity types (EMAIL, PHONE, NAME, ADDRESS, AWS_ACCESS_KEY, PASSWORD, CREDIT_DEBIT_CARD_NUMBER, ...)."
  }

  validation {
    condition     = length(setintersection(toset(var.guardrail.pii_anonymize), toset(var.guardrail.pii_block))) == 0
    error_message = "A PII entity type cannot be both in guardrail.pii_anonymize and guardrail.pii_block."
  }

  validation {
    condition     = alltrue([for t in var.guardrail.denied_topics : length(t.name) <= 100 && length(t.definition) <= 200 && length(t.examples) <= 5])
    error_message = "guardrail.denied_topics: name up to 100 characters, definition up to 200, at most 5 examples."
  }
}

variable "knowledge_base" {
  description = "Optional Bedrock knowledge base on an existing vector store (the rag-stack module creates the store, the corpus bucket and the data source and passes them here)."
  type = object({
    name                 = string
    description          = optional(string)
    role_arn             = string
    embedding_model_arn  = string
    embedding_dimensions = optional(number)
    storage_type         = string
    s3_vectors_index_arn = optional(string)
    opensearch = optional(object({
      collection_arn = string
      index_name     = string
      vector_field   = optional(string, "bedrock-knowledge-base-default-vector")
      text_field     = optional(string, "AMAZON_BEDROCK_TEXT_CHUNK")
      metadata_field = optional(string, "AMAZON_BEDROCK_METADATA")
    }))
  })
  default = null

  validation {
    condition     = var.knowledge_base == null || try(contains(["S3_VECTORS", "OPENSEARCH_SERVERLESS"], var.knowledge_base.storage_type), false)
    error_message = "knowledge_base.storage_type must be S3_VECTORS or OPENSEARCH_SERVERLESS."
  }

  validation {
    condition     = var.knowledge_base == null || try(var.knowledge_base.storage_type != "S3_VECTORS" || var.knowledge_base.s3_vectors_index_arn != null, false)
    error_message = "knowledge_base.s3_vectors_index_arn is required when storage_type = S3_VECTORS."
  }

  validation {
    condition     = var.knowledge_base == null || try(var.knowledge_base.storage_type != "OPENSEARCH_SERVERLESS" || var.knowledge_base.opensearch != null, false)
    error_message = "knowledge_base.opensearch is required when storage_type = OPENSEARCH_SERVERLESS."
  }

  validation {
    condition     = var.knowledge_base == null || try(can(regex("^arn:aws[a-z-]*:bedrock:[a-z0-9-]+::foundation-model/.+$", var.knowledge_base.embedding_model_arn)), false)
    error_message = "knowledge_base.embedding_model_arn must be a foundation-model ARN, e.g. arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the guardrail at rest. null uses an AWS owned key."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the guardrail, inference profiles and knowledge base."
  type        = map(string)
  default     = {}
}
