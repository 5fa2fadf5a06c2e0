variable "project_id" {
  description = "Project of the team and environment (teams.<team>.envs.<env>.gcp.project in idlc.yaml)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a GCP project ID: 6-30 lowercase letters, digits and '-', starting with a letter."
  }
}

variable "team" {
  description = "Team that owns the project (a key of teams in idlc.yaml)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.team)) && !startswith(var.team, "idlc")
    error_message = "team must be 3-32 characters of lowercase letters, digits and '-', starting with a letter, and must not start with \"idlc\" (reserved for the CI service accounts)."
  }
}

variable "env" {
  description = "Environment of the project (dev, staging, prod). The service accounts are named as naming.gcp in idlc.yaml: idlc-<team>-<env>-plan and idlc-<team>-<env>-apply."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.env)) && length("idlc-${var.team}-${var.env}-apply") <= 30
    error_message = "env must be a lowercase environment name, and idlc-<team>-<env>-apply must fit the 30-character service account ID limit."
  }
}

variable "labels" {
  description = "Standard labels (team, env, cost-center, ...) for the stack to reuse on resources that do not inherit the provider default_labels, and for the budget filter."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "labels must follow GCP label rules: keys start with a lowercase letter, keys and values use lowercase letters, digits, '_' and '-', at most 63 characters."
  }
}

variable "services" {
  description = "APIs to enable in the project. They are never disabled on destroy (other stacks depend on them)."
  type        = list(string)
  default = [
    "aiplatform.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com",
    "container.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "logging.googleapis.com",
    "monitoring.googleapis.com", "storage.googleapis.com", "sts.googleapis.com",
  ]

  validation {
    condition     = alltrue([for s in var.services : can(regex("^[a-z0-9-]+\\.googleapis\\.com$", s))])
    error_message = "services must be API names like \"aiplatform.googleapis.com\"."
  }
}

variable "github" {
  description = <<-EOT
    GitHub Actions federation. The repository customizes its OIDC subject with
    include_claim_keys = [repo, context, job_workflow_ref] (idlc setup-github), and only workflow
    files of default_branch are trusted: the plan account by the plan-run workflow of pull
    requests (or of the GitHub environment <team>-<env>-plan when plan_review is true) and the
    drift workflow; the apply account by the apply workflow in one of environments
    (<team>-<env>). repository_owner_id (numeric, optional) pins the owner so a renamed-and-
    recreated org cannot reuse the name; plan_extra_subjects adds exact default-branch subjects.
  EOT
  type = object({
    repository          = string
    environments        = list(string)
    default_branch      = optional(string, "main")
    plan_review         = optional(bool, false)
    plan_workflow_path  = optional(string, ".github/workflows/idlc-plan-run.yml")
    apply_workflow_path = optional(string, ".github/workflows/idlc-apply.yml")
    drift_workflow_path = optional(string, ".github/workflows/idlc-drift.yml")
    repository_owner_id = optional(string)
    plan_extra_subjects = optional(list(string), [])
    pool_id             = optional(string, "github")
    provider_id         = optional(string, "github-actions")
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github.repository))
    error_message = "github.repository must be ORG/REPO exactly as on GitHub (no wildcards)."
  }

  validation {
    condition     = length(var.github.environments) > 0 && alltrue([for e in var.github.environments : can(regex("^[A-Za-z0-9._-]{1,255}$", e))])
    error_message = "github.environments must list at least one GitHub environment name (e.g. \"assistant-dev\")."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$", var.github.default_branch)) && !strcontains(var.github.default_branch, "..")
    error_message = "github.default_branch must be a branch name such as \"main\" (no refs/heads/, wildcards, colons or \"..\")."
  }

  validation {
    condition = alltrue([
      for p in [var.github.plan_workflow_path, var.github.apply_workflow_path, coalesce(var.github.drift_workflow_path, ".github/workflows/none.yml")] :
      can(regex("^\\.github/workflows/[A-Za-z0-9._-]+\\.yml$", p))
    ]) && var.github.apply_workflow_path != var.github.plan_workflow_path && var.github.apply_workflow_path != var.github.drift_workflow_path
    error_message = "github.plan_workflow_path, apply_workflow_path and drift_workflow_path (or null) must be files like \".github/workflows/idlc-apply.yml\"; the apply workflow must differ from the others."
  }

  validation {
    condition = alltrue([
      for s in var.github.plan_extra_subjects :
      startswith(s, "repo:${var.github.repository}:") && length(split(":job_workflow_ref:", s)) == 2 &&
      endswith(s, "@refs/heads/${var.github.default_branch}") && !strcontains(s, "*") && !strcontains(s, "'")
    ])
    error_message = "github.plan_extra_subjects must be exact subjects \"repo:ORG/REPO:<context>:job_workflow_ref:<owner>/<repo>/.github/workflows/<file>@refs/heads/<default_branch>\" of github.repository, without wildcards or quotes."
  }

  validation {
    condition     = var.github.repository_owner_id == null || can(regex("^[0-9]+$", coalesce(var.github.repository_owner_id, "0")))
    error_message = "github.repository_owner_id must be the numeric owner ID (from the GitHub API), or null."
  }

  validation {
    condition     = alltrue([for id in [var.github.pool_id, var.github.provider_id] : can(regex("^[a-z0-9-]{4,32}$", id)) && !startswith(id, "gcp-")])
    error_message = "github.pool_id and github.provider_id must be 4-32 characters of [a-z0-9-] and must not start with \"gcp-\"."
  }
}

variable "state_bucket" {
  description = "GCS state bucket of the team (state.gcs_bucket in idlc.yaml). Both accounts read it; the plan account writes lock files (*.tflock) and creates plan bundles (<plans_prefix>gcp/<team>/<env>/**.tar), the apply account writes state and locks and creates apply records (**.json there); nothing under plans_prefix can be overwritten or deleted by either, and project-level storage roles of apply_roles exclude this bucket. null skips the grants."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket == null || can(regex("^[a-z0-9][a-z0-9_.-]{1,220}[a-z0-9]$", coalesce(var.state_bucket, "x")))
    error_message = "state_bucket must be a GCS bucket name (lowercase letters, digits, '-', '_', '.'), or null."
  }
}

variable "plans_prefix" {
  description = "Folder of the plan bundles and apply records in the state bucket (state.plans_prefix in idlc.yaml)."
  type        = string
  default     = "plans/"

  validation {
    condition     = can(regex("^([a-z0-9][a-z0-9_.-]*/)+$", var.plans_prefix))
    error_message = "plans_prefix must be a folder path ending in '/', such as \"plans/\" (lowercase letters, digits, '-', '_', '.')."
  }
}

variable "plan_roles" {
  description = "Project roles of the plan service account (read-only)."
  type        = list(string)
  default     = ["roles/viewer", "roles/iam.securityReviewer"]

  validation {
    condition     = !anytrue([for r in var.plan_roles : contains(["roles/owner", "roles/editor"], r)])
    error_message = "plan_roles must be read-only: roles/owner and roles/editor are refused."
  }
}

variable "apply_roles" {
  description = "Project roles of the apply service account: the services the team's stacks manage. roles/owner and the IAM policy admin roles are refused (the account could grant itself anything)."
  type        = list(string)
  default = [
    "roles/aiplatform.admin", "roles/compute.networkAdmin", "roles/container.admin", "roles/storage.admin",
    "roles/iam.serviceAccountAdmin", "roles/iam.serviceAccountUser", "roles/cloudkms.admin", "roles/monitoring.admin",
    "roles/logging.admin", "roles/serviceusage.serviceUsageAdmin",
  ]

  validation {
    condition     = !anytrue([for r in var.apply_roles : contains(["roles/owner", "roles/resourcemanager.projectIamAdmin", "roles/iam.securityAdmin"], r)])
    error_message = "apply_roles must not contain roles/owner, roles/resourcemanager.projectIamAdmin or roles/iam.securityAdmin."
  }
}

variable "budget" {
  description = "Optional monthly budget on the project's billing account, with a forecast alert before the money is spent. Needs billing.budgets.create on the billing account."
  type = object({
    billing_account = string
    amount_usd      = number
    alert_percents  = optional(list(number), [80, 100])
  })
  default = null

  validation {
    condition     = var.budget == null || try(var.budget.amount_usd > 0 && alltrue([for p in var.budget.alert_percents : p > 0]), false)
    error_message = "budget.amount_usd must be positive and budget.alert_percents positive percentages."
  }
}
