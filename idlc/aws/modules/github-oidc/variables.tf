variable "repository" {
  description = "GitHub repository (ORG/REPO) whose workflows may assume the roles, e.g. \"acme/idlc\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.repository))
    error_message = "repository must be ORG/REPO exactly as on GitHub, e.g. \"acme/idlc\" (no wildcards)."
  }
}

variable "team" {
  description = "Team whose account this is (a key of teams in idlc.yaml)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.team))
    error_message = "team must be 3-32 characters of lowercase letters, digits and '-', starting with a letter (as in idlc.yaml)."
  }
}

variable "environments" {
  description = "Environments deployed into this account (usually one: accounts are per team and env). Each gets a plan role idlc-<team>-<env>-plan and an apply role idlc-<team>-<env>-apply (naming.aws in idlc.yaml)."
  type        = list(string)

  validation {
    condition     = length(var.environments) > 0 && alltrue([for e in var.environments : can(regex("^[a-z][a-z0-9-]{0,15}$", e))])
    error_message = "environments must list at least one environment name (lowercase letters, digits and '-', e.g. [\"dev\"])."
  }
}

variable "create_oidc_provider" {
  description = "Create the token.actions.githubusercontent.com OIDC provider. Set false when the account already has one and pass oidc_provider_arn."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider (only when create_oidc_provider = false)."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be the ARN of the token.actions.githubusercontent.com provider or null."
  }
}

variable "state_bucket_arn" {
  description = "ARN of the team state bucket (state-backend module output bucket_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_arn))
    error_message = "state_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::bucket-name), without a key."
  }
}

variable "state_kms_key_arn" {
  description = "ARN of the KMS key encrypting the state (state-backend module output kms_key_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.state_kms_key_arn))
    error_message = "state_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "plans_prefix" {
  description = "Key prefix of saved plan bundles in the state bucket (state.plans_prefix in idlc.yaml)."
  type        = string
  default     = "plans/"

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]+(/[a-zA-Z0-9._-]+)*/$", var.plans_prefix))
    error_message = "plans_prefix must be a relative key prefix ending with '/', e.g. \"plans/\"."
  }
}

variable "plan_extra_subjects" {
  description = "Additional OIDC subjects allowed to assume the plan roles, e.g. \"repo:ORG/REPO:ref:refs/heads/main\" for the scheduled drift plan. Each must belong to var.repository."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.plan_extra_subjects : startswith(s, "repo:${var.repository}:") && !strcontains(s, "*")])
    error_message = "plan_extra_subjects must be exact subjects of this repository (\"repo:ORG/REPO:...\"), without wildcards."
  }
}

variable "plan_managed_policy_arns" {
  description = "Managed policies granting the plan roles read access to the resources they refresh. null attaches the AWS managed ReadOnlyAccess policy."
  type        = list(string)
  default     = null
}

variable "apply_managed_policy_arns" {
  description = "Managed policies for the apply roles. null attaches the AWS managed PowerUserAccess policy (everything except IAM and Organizations); IAM changes are granted separately and only for roles and policies named <team>-*."
  type        = list(string)
  default     = null

  validation {
    condition     = var.apply_managed_policy_arns == null || !anytrue([for a in coalesce(var.apply_managed_policy_arns, []) : endswith(a, ":policy/AdministratorAccess")])
    error_message = "apply_managed_policy_arns must not contain AdministratorAccess: grant the services the team's stacks manage."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary that every role created by the apply role must carry (and that the apply role itself carries). null disables the requirement; set it in shared or regulated accounts."
  type        = string
  default     = null
}

variable "max_session_duration" {
  description = "Maximum session length of the roles in seconds (3600-43200). Keep it short: a plan or apply job should not outlive one hour."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds (IAM limits)."
  }
}

variable "tags" {
  description = "Tags for the OIDC provider and roles."
  type        = map(string)
  default     = {}
}
