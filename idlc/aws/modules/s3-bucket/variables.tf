variable "name" {
  description = "Globally unique bucket name (3-63 characters: lowercase letters, digits, '-' and '.')."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name)) && !can(regex("\\.\\.|^xn--|-s3alias$|--ol-s3$|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.name))
    error_message = "name must be a valid S3 bucket name: 3-63 characters of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, no '..', not an IP address."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for default encryption (SSE-KMS with S3 Bucket Keys). null uses the AWS managed key aws/s3; pass a key from the kms-key module for data that other accounts or services read."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key or alias ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null."
  }
}

variable "versioning_enabled" {
  description = "Keep object versions (recommended: protects against overwrites and deletes; noncurrent versions expire after noncurrent_version_expiration_days)."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions are deleted. 0 keeps them forever."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 0 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number >= 0 (0 disables the rule)."
  }
}

variable "lifecycle_rules" {
  description = "Extra lifecycle rules, each for one key prefix: expire objects after expiration_days and/or move them to transition_storage_class after transition_days."
  type = list(object({
    id                       = string
    prefix                   = optional(string, "")
    expiration_days          = optional(number)
    transition_days          = optional(number)
    transition_storage_class = optional(string, "INTELLIGENT_TIERING")
  }))
  default = []

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : contains(["GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"], r.transition_storage_class)])
    error_message = "lifecycle_rules[*].transition_storage_class must be one of GLACIER, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, DEEP_ARCHIVE, GLACIER_IR."
  }

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : (r.expiration_days == null || try(r.expiration_days > 0, false)) && (r.transition_days == null || try(r.transition_days >= 0, false))])
    error_message = "lifecycle_rules[*].expiration_days must be > 0 and transition_days >= 0 when set."
  }

  validation {
    condition     = length(distinct([for r in var.lifecycle_rules : r.id])) == length(var.lifecycle_rules) && !contains([for r in var.lifecycle_rules : r.id], "idlc-default")
    error_message = "lifecycle_rules[*].id must be unique and must not be \"idlc-default\" (reserved for the module's own rule)."
  }
}

variable "access_log_bucket" {
  description = "Bucket that receives S3 server access logs for this bucket (prefix <name>/). null disables access logging; turn it on for buckets holding regulated data."
  type        = string
  default     = null
}

variable "policy_documents" {
  description = "Extra bucket policy JSON documents (e.g. from aws_iam_policy_document) merged with the module's TLS-only statements. Statement ids must not collide with DenyInsecureTransport or DenyOutdatedTls."
  type        = list(string)
  default     = []
}

variable "force_destroy" {
  description = "Allow destroying the bucket while it still holds objects. Keep false for anything but throwaway sandboxes."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket. Cost tags (team, env, cost-center) come from the provider default_tags of the stack."
  type        = map(string)
  default     = {}
}
