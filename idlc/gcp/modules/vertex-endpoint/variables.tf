variable "project_id" {
  description = "Project of the endpoint."
  type        = string
}

variable "region" {
  description = "Vertex AI region, e.g. \"europe-west4\" (GPU availability differs per region)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a GCP region such as \"europe-west4\"."
  }
}

variable "display_name" {
  description = "Display name, usually <team>-<env>-<app> (e.g. \"assistant-dev-chat\")."
  type        = string

  validation {
    condition     = length(var.display_name) >= 1 && length(var.display_name) <= 128
    error_message = "display_name must be 1-128 characters."
  }
}

variable "mode" {
  description = "\"endpoint\": an empty endpoint that pipelines deploy custom models to; \"model_garden\": an endpoint with a Model Garden or Hugging Face model deployed on dedicated GPUs."
  type        = string
  default     = "endpoint"

  validation {
    condition     = contains(["endpoint", "model_garden"], var.mode)
    error_message = "mode must be \"endpoint\" or \"model_garden\"."
  }
}

variable "endpoint_id" {
  description = "Numeric ID of the endpoint (mode endpoint): up to 10 digits, no leading zero. Pick one per team/env/app and keep it stable."
  type        = string
  default     = null

  validation {
    condition     = var.endpoint_id == null || can(regex("^[1-9][0-9]{0,9}$", coalesce(var.endpoint_id, "1")))
    error_message = "endpoint_id must be numeric, without a leading zero, at most 10 digits."
  }

  validation {
    condition     = var.mode != "endpoint" || var.endpoint_id != null
    error_message = "endpoint_id is required when mode = \"endpoint\"."
  }
}

variable "network" {
  description = "VPC network (projects/<number>/global/networks/<name>) for a private endpoint reached through private services access (mode endpoint). null = public endpoint protected by IAM."
  type        = string
  default     = null
}

variable "kms_key_name" {
  description = "Cloud KMS key encrypting the endpoint and its sub-resources (mode endpoint; key in the same region)."
  type        = string
  default     = null
}

variable "dedicated_endpoint_enabled" {
  description = "Serve through a dedicated DNS name, isolated from other tenants' traffic (mode endpoint). Not combinable with network."
  type        = bool
  default     = false

  validation {
    condition     = !(var.dedicated_endpoint_enabled && var.network != null)
    error_message = "dedicated_endpoint_enabled cannot be combined with a private network endpoint."
  }
}

variable "request_response_logging" {
  description = "Log a sample of predictions to BigQuery (bq://project.dataset.table) for evaluation and audit (mode endpoint). Prompts may contain personal data."
  type = object({
    bigquery_table = string
    sampling_rate  = optional(number, 0.1)
  })
  default = null

  validation {
    condition     = var.request_response_logging == null || try(startswith(var.request_response_logging.bigquery_table, "bq://") && var.request_response_logging.sampling_rate > 0 && var.request_response_logging.sampling_rate <= 1, false)
    error_message = "request_response_logging.bigquery_table must be a bq:// URI and sampling_rate in (0, 1]."
  }
}

variable "model_garden" {
  description = "Model to deploy in mode model_garden: a Model Garden publisher model (publishers/google/models/gemma3@gemma-3-4b-it) or a Hugging Face model ID, the EULA acceptance, and the GPU machine with replica bounds."
  type = object({
    publisher_model_name  = optional(string)
    hugging_face_model_id = optional(string)
    accept_eula           = optional(bool, false)
    machine_type          = optional(string, "g2-standard-12")
    accelerator_type      = optional(string, "NVIDIA_L4")
    accelerator_count     = optional(number, 1)
    min_replica_count     = optional(number, 1)
    max_replica_count     = optional(number, 1)
  })
  default = null

  validation {
    condition     = var.mode != "model_garden" || try((var.model_garden.publisher_model_name != null) != (var.model_garden.hugging_face_model_id != null), false)
    error_message = "mode = \"model_garden\" needs model_garden with exactly one of publisher_model_name or hugging_face_model_id."
  }

  validation {
    condition     = var.model_garden == null || try(contains(["NVIDIA_L4", "NVIDIA_TESLA_T4", "NVIDIA_TESLA_V100", "NVIDIA_TESLA_A100", "NVIDIA_A100_80GB", "NVIDIA_H100_80GB", "NVIDIA_H100_MEGA_80GB", "NVIDIA_H200_141GB"], var.model_garden.accelerator_type), false)
    error_message = "model_garden.accelerator_type must be a Vertex AI NVIDIA accelerator (NVIDIA_L4, NVIDIA_TESLA_T4, NVIDIA_TESLA_A100, NVIDIA_A100_80GB, NVIDIA_H100_80GB, ...)."
  }

  validation {
    condition     = var.model_garden == null || try(var.model_garden.min_replica_count >= 1 && var.model_garden.min_replica_count <= var.model_garden.max_replica_count && var.model_garden.accelerator_count >= 1, false)
    error_message = "model_garden must satisfy 1 <= min_replica_count <= max_replica_count and accelerator_count >= 1."
  }
}

variable "invoker_members" {
  description = "Members allowed to call predict on the endpoint (roles/aiplatform.user on the endpoint), e.g. the application's service account. allUsers/allAuthenticatedUsers are refused."
  type        = list(string)
  default     = []

  validation {
    condition     = !anytrue([for m in var.invoker_members : contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "invoker_members must not contain allUsers or allAuthenticatedUsers."
  }
}

variable "labels" {
  description = "Labels for the endpoint (mode endpoint; merged over the provider default_labels)."
  type        = map(string)
  default     = {}
}
