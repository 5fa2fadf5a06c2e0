variable "name" {
  description = "Repository name, e.g. \"search/retriever\" (2-256 characters: lowercase letters, digits, and . _ - / separators)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name)) && length(var.name) >= 2 && length(var.name) <= 256
    error_message = "name must be 2-256 characters of lowercase letters and digits, separated by '.', '_', '-' or '/' (ECR repository naming rules)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for image encryption. null uses the AWS managed key for ECR (still KMS)."
  type        = string
  default     = null
}

variable "immutable_tags" {
  description = "Make tags immutable (a tag always names the same image, so GitOps pins are trustworthy). Tags matching mutable_tag_patterns stay mutable."
  type        = bool
  default     = true
}

variable "mutable_tag_patterns" {
  description = "Wildcard tag filters that stay mutable when immutable_tags is true (e.g. [\"latest\", \"dev-*\"]). (IMMUTABLE_WITH_EXCLUSION, AWS provider >= 6.8)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.mutable_tag_patterns : can(regex("^[A-Za-z0-9._*-]{1,128}$", p))])
    error_message = "mutable_tag_patterns must be up to 128 characters of letters, digits and . _ * -."
  }
}

variable "keep_tagged_images" {
  description = "Number of most recent tagged images to keep; older ones expire. Model-server images are large: every one kept is billed."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_tagged_images >= 1 && var.keep_tagged_images <= 10000
    error_message = "keep_tagged_images must be between 1 and 10000."
  }
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images (superseded layers of re-pushed builds) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1
    error_message = "untagged_expiry_days must be at least 1."
  }
}

variable "pull_principal_arns" {
  description = "IAM principals (roles or account roots) of other accounts allowed to pull, e.g. the prod account pulling images promoted from dev. Same-account access is granted by IAM."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.pull_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+)$", a))])
    error_message = "pull_principal_arns must be IAM role or account-root ARNs; \"*\" is never allowed."
  }
}

variable "force_delete" {
  description = "Allow deleting the repository while it still holds images."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the repository."
  type        = map(string)
  default     = {}
}
