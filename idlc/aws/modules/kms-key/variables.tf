variable "name" {
  description = "Key name, used for the alias (alias/<name>). Lowercase letters, digits, '-', '_' and '/'."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9/_-]{1,240}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name must be 2-241 characters of lowercase letters, digits, '/', '_' or '-', and must not start with \"aws/\" (reserved for AWS managed keys)."
  }
}

variable "description" {
  description = "Human-readable description of what the key protects."
  type        = string
  default     = "Managed by idlc"
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion takes effect (7-30 days). Long by default: a deleted key makes every object it encrypted unreadable."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30 (AWS KMS limits)."
  }
}

variable "rotation_period_in_days" {
  description = "Automatic rotation period (90-2560 days). Rotation is always on."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "rotation_period_in_days must be between 90 and 2560 (AWS KMS limits)."
  }
}

variable "administrator_arns" {
  description = "IAM principals that may manage (but not use) the key. The account root is always an administrator so IAM policies keep working and the key can never be locked out."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", a))])
    error_message = "administrator_arns must be IAM role, user or account-root ARNs (arn:aws:iam::123456789012:role/name)."
  }
}

variable "user_arns" {
  description = "IAM principals that may encrypt and decrypt with the key (workload roles)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.user_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", a))])
    error_message = "user_arns must be IAM role, user or account-root ARNs (arn:aws:iam::123456789012:role/name)."
  }
}

variable "service_principals" {
  description = "AWS service principals (e.g. logs.eu-west-1.amazonaws.com, sns.amazonaws.com) that may use the key for this account only: CloudWatch Logs scoped by its log-group encryption context, every other service by aws:SourceAccount."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.service_principals : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", s))])
    error_message = "service_principals must be AWS service principal names ending in .amazonaws.com, e.g. \"logs.eu-west-1.amazonaws.com\"."
  }
}

variable "tags" {
  description = "Tags for the key. Cost tags (team, env, cost-center) come from the provider default_tags of the stack."
  type        = map(string)
  default     = {}
}
