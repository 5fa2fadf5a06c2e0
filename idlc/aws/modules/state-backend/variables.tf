variable "team" {
  description = "Team that owns the state (a key of teams in idlc.yaml)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.team))
    error_message = "team must be 3-32 characters of lowercase letters, digits and '-', starting with a letter (as in idlc.yaml)."
  }
}

variable "bucket_name" {
  description = "State bucket name. null uses the registry convention idlc-tfstate-<team>-<account_id> (state.bucket in idlc.yaml)."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, '-' or '.') or null."
  }
}

variable "kms_key_arn" {
  description = "Existing KMS key for the state. null creates a dedicated key (alias/idlc-tfstate-<team>)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null."
  }
}

variable "plans_prefix" {
  description = "Key prefix where CI stores saved plan bundles (state.plans_prefix in idlc.yaml). Must end with '/'."
  type        = string
  default     = "plans/"

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]+(/[a-zA-Z0-9._-]+)*/$", var.plans_prefix))
    error_message = "plans_prefix must be a relative key prefix ending with '/', e.g. \"plans/\"."
  }
}

variable "plan_retention_days" {
  description = "Days after which saved plan bundles are deleted (a plan older than this is stale anyway)."
  type        = number
  default     = 30

  validation {
    condition     = var.plan_retention_days >= 1 && var.plan_retention_days <= 365
    error_message = "plan_retention_days must be between 1 and 365."
  }
}

variable "state_version_retention_days" {
  description = "Days noncurrent state versions are kept, to roll back a bad apply. 0 keeps them forever."
  type        = number
  default     = 365

  validation {
    condition     = var.state_version_retention_days >= 0
    error_message = "state_version_retention_days must be >= 0 (0 keeps every version)."
  }
}

variable "protect_state_objects" {
  description = "Deny s3:DeleteObject on *.tfstate objects for every principal (a state file is never deleted by tofu plan/apply; removing a stack is a deliberate, break-glass change)."
  type        = bool
  default     = true
}

variable "access_log_bucket" {
  description = "Bucket receiving S3 server access logs for the state bucket (recommended in prod). null disables access logging."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the bucket and key. Cost tags come from the provider default_tags of the stack."
  type        = map(string)
  default     = {}
}

variable "break_glass_role_arns" {
  description = "IAM roles (or users) exempt from the bucket policy's write-once and settings denies: the platform's break-glass role that applies this module. Everyone else, the CI roles included, can neither overwrite nor delete anything under plans_prefix nor change the bucket policy, versioning, lifecycle or encryption. Include the role you apply this module with, or only the account root can change the policy afterwards."
  type        = list(string)

  validation {
    condition = var.break_glass_role_arns != null && length(coalesce(var.break_glass_role_arns, [])) > 0 && alltrue([
      for a in coalesce(var.break_glass_role_arns, []) :
      can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$", a)) && !can(regex(":role/idlc-.*-(plan|apply)$", a))
    ])
    error_message = "break_glass_role_arns must list at least one exact IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME, no wildcards), never an idlc-<team>-<env>-plan|apply CI role."
  }
}
