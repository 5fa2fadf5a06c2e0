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
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.team)) && !startswith(var.team, "idlc")
    error_message = "team must be 3-32 characters of lowercase letters, digits and '-', starting with a letter (as in idlc.yaml), and must not start with \"idlc\" (reserved for the CI roles idlc-*)."
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

variable "default_branch" {
  description = "Default branch of the repository (github.default_branch in idlc.yaml). Only workflow files at this branch are trusted: every subject ends in job_workflow_ref:<repo>/<workflow>@refs/heads/<default_branch>."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$", var.default_branch)) && !strcontains(var.default_branch, "..") && !endswith(var.default_branch, "/")
    error_message = "default_branch must be a branch name such as \"main\" (letters, digits, '.', '_', '-', '/'; no wildcards, colons or \"..\"), without refs/heads/."
  }
}

variable "plan_workflow_path" {
  description = "Workflow file whose jobs plan pull requests: the reusable workflow the PR caller invokes at the default branch (design: idlc-plan-run.yml). Its job_workflow_ref is part of the plan subject."
  type        = string
  default     = ".github/workflows/idlc-plan-run.yml"

  validation {
    condition     = can(regex("^\\.github/workflows/[A-Za-z0-9._-]+\\.yml$", var.plan_workflow_path))
    error_message = "plan_workflow_path must be a workflow file path like \".github/workflows/idlc-plan-run.yml\"."
  }
}

variable "apply_workflow_path" {
  description = "Workflow file whose jobs apply (push to the default branch, design: idlc-apply.yml). It must not declare on.workflow_call, or a pull request could call it and inherit its job_workflow_ref."
  type        = string
  default     = ".github/workflows/idlc-apply.yml"

  validation {
    condition     = can(regex("^\\.github/workflows/[A-Za-z0-9._-]+\\.yml$", var.apply_workflow_path)) && var.apply_workflow_path != var.plan_workflow_path
    error_message = "apply_workflow_path must be a workflow file path like \".github/workflows/idlc-apply.yml\", different from plan_workflow_path."
  }
}

variable "drift_workflow_path" {
  description = "Scheduled drift workflow (design: idlc-drift.yml) allowed to assume the plan roles from the default branch; null trusts no drift job."
  type        = string
  default     = ".github/workflows/idlc-drift.yml"

  validation {
    condition     = var.drift_workflow_path == null || (can(regex("^\\.github/workflows/[A-Za-z0-9._-]+\\.yml$", coalesce(var.drift_workflow_path, "-"))) && var.drift_workflow_path != var.apply_workflow_path)
    error_message = "drift_workflow_path must be a workflow file path like \".github/workflows/idlc-drift.yml\" (not the apply workflow), or null."
  }
}

variable "plan_review_envs" {
  description = "Environments whose plans run behind the GitHub environment <team>-<env>-plan (plan_review: true in idlc.yaml): their plan role trusts that environment context instead of pull_request, so a reviewer releases each plan."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.plan_review_envs : contains(var.environments, e)])
    error_message = "plan_review_envs must be a subset of environments."
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
    condition     = var.oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", coalesce(var.oidc_provider_arn, "-")))
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
  description = "Key prefix of saved plan bundles in the state bucket (state.plans_prefix in idlc.yaml). Bundles of this account's stacks live under <plans_prefix>aws/<team>/<env>/."
  type        = string
  default     = "plans/"

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]+(/[a-zA-Z0-9._-]+)*/$", var.plans_prefix))
    error_message = "plans_prefix must be a relative key prefix ending with '/', e.g. \"plans/\"."
  }
}

variable "plan_extra_subjects" {
  description = "Additional exact OIDC subjects the plan roles trust, in the customized format repo:<repo>:<context>:job_workflow_ref:<workflow repo>/<path>@refs/heads/<default_branch>. Only default-branch workflows qualify: a subject that a pull request or another branch could produce is refused."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for s in var.plan_extra_subjects :
      startswith(s, "repo:${var.repository}:") && length(split(":job_workflow_ref:", s)) == 2 &&
      endswith(s, "@refs/heads/${var.default_branch}") && !strcontains(s, "*") && !strcontains(s, "?")
    ])
    error_message = "plan_extra_subjects must be exact subjects \"repo:ORG/REPO:<context>:job_workflow_ref:<owner>/<repo>/.github/workflows/<file>@refs/heads/<default_branch>\" of this repository, without wildcards."
  }
}

variable "plan_managed_policy_arns" {
  description = "Managed policies of the plan roles. null attaches the AWS managed job-function/ViewOnlyAccess policy (metadata only); the module adds the Get/Describe/List reads a refresh of the catalog's resources needs and denies data-plane reads either way."
  type        = list(string)
  default     = null

  validation {
    condition = var.plan_managed_policy_arns == null || !anytrue([
      for a in coalesce(var.plan_managed_policy_arns, []) :
      endswith(a, ":policy/ReadOnlyAccess") || endswith(a, ":policy/AdministratorAccess") || endswith(a, ":policy/PowerUserAccess")
    ])
    error_message = "plan_managed_policy_arns must not contain ReadOnlyAccess (it reads data: S3 objects, table items, queue messages), PowerUserAccess or AdministratorAccess."
  }
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
  description = "Permissions boundary every role the apply role creates or changes must carry (iam:PermissionsBoundary condition), also set on the plan and apply roles. Required: without it the apply role could give a <team>-* role any permission and assume it."
  type        = string

  validation {
    condition     = var.permissions_boundary_arn != null && can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", coalesce(var.permissions_boundary_arn, "-"))) && !strcontains(coalesce(var.permissions_boundary_arn, "-"), ":policy/${var.team}-")
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::ACCOUNT:policy/NAME) that the team cannot edit: not named <team>-* (the apply role manages those policies)."
  }
}

variable "attachable_policy_arns" {
  description = "Managed policies the apply role may attach to (or detach from) <team>-* roles, besides the team's own arn:<partition>:iam::<account>:policy/<team>-* policies. null allows the AWS managed policies the module catalog attaches (EKS cluster/node/CNI, ECR pull, SSM core, ECS instance/task execution)."
  type        = list(string)
  default     = null

  validation {
    condition = var.attachable_policy_arns == null || alltrue([
      for a in coalesce(var.attachable_policy_arns, []) :
      can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", a)) && !strcontains(a, ":policy/idlc-") &&
      !endswith(a, ":policy/AdministratorAccess") && !endswith(a, ":policy/IAMFullAccess")
    ])
    error_message = "attachable_policy_arns must be exact IAM policy ARNs (no wildcards), not idlc-* policies, AdministratorAccess or IAMFullAccess."
  }
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
