variable "name" {
  description = "Globally unique bucket name (3-63 characters: lowercase letters, digits, '-', '_' and '.')."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.name)) && !startswith(var.name, "goog") && !strcontains(var.name, "google")
    error_message = "name must be 3-63 lowercase letters, digits, '-', '_' or '.', start and end with a letter or digit, and must not start with \"goog\" or contain \"google\"."
  }
}

variable "project_id" {
  description = "Project of the bucket."
  type        = string
}

variable "location" {
  description = "Bucket location: a region (europe-west4), dual-region or multi-region (EU). Keep data next to the GPUs that read it."
  type        = string
}

variable "kms_key_name" {
  description = "Cloud KMS key (projects/.../cryptoKeys/...) for default encryption (CMEK). The GCS service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it. null uses Google-managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", coalesce(var.kms_key_name, "x")))
    error_message = "kms_key_name must be a key name: projects/P/locations/L/keyRings/R/cryptoKeys/K."
  }
}

variable "versioning_enabled" {
  description = "Keep noncurrent object versions (deleted after noncurrent_version_expiration_days)."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent versions are deleted (0 keeps them)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 0
    error_message = "noncurrent_version_expiration_days must be >= 0."
  }
}

variable "soft_delete_retention_days" {
  description = "Soft delete retention in days (0-90; 0 disables soft delete). Default 7, as GCS."
  type        = number
  default     = 7

  validation {
    condition     = var.soft_delete_retention_days == 0 || (var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90)
    error_message = "soft_delete_retention_days must be 0 or between 7 and 90."
  }
}

variable "lifecycle_rules" {
  description = "Extra lifecycle rules: delete objects under a prefix after delete_after_days, and/or move them to storage_class after transition_after_days."
  type = list(object({
    prefix                = optional(string)
    delete_after_days     = optional(number)
    transition_after_days = optional(number)
    storage_class         = optional(string, "NEARLINE")
  }))
  default = []

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : contains(["NEARLINE", "COLDLINE", "ARCHIVE"], r.storage_class)])
    error_message = "lifecycle_rules[*].storage_class must be NEARLINE, COLDLINE or ARCHIVE."
  }

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : r.delete_after_days != null || r.transition_after_days != null])
    error_message = "Each lifecycle rule needs delete_after_days or transition_after_days."
  }
}

variable "access_log_bucket" {
  description = "Bucket receiving usage and storage logs of this bucket. null disables logging."
  type        = string
  default     = null
}

variable "iam_members" {
  description = "Bucket-level IAM grants: role => members (e.g. { \"roles/storage.objectViewer\" = [\"serviceAccount:trainer@...\"] }). allUsers and allAuthenticatedUsers are refused."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = !anytrue(flatten([for r, ms in var.iam_members : [for m in ms : contains(["allUsers", "allAuthenticatedUsers"], m)]]))
    error_message = "iam_members must not grant anything to allUsers or allAuthenticatedUsers."
  }
}

variable "force_destroy" {
  description = "Allow destroying the bucket while it holds objects."
  type        = bool
  default     = false
}

variable "labels" {
  description = "Labels for the bucket (merged over the provider default_labels)."
  type        = map(string)
  default     = {}
}
