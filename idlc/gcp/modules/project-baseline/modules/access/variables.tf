variable "team" {
  description = "Team of the project (validated by the parent module)."
  type        = string
}

variable "env" {
  description = "Environment of the project (validated by the parent module)."
  type        = string
}

variable "pool_name" {
  description = "Resource name of the workload identity pool: projects/<number>/locations/global/workloadIdentityPools/<pool_id>."
  type        = string
}

variable "github" {
  description = "The parent's github input with its defaults applied (validated by the parent module)."
  type = object({
    repository          = string
    environments        = list(string)
    default_branch      = string
    plan_review         = bool
    plan_workflow_path  = string
    apply_workflow_path = string
    drift_workflow_path = string
    repository_owner_id = string
    plan_extra_subjects = list(string)
  })
}

variable "state_bucket" {
  description = "GCS state bucket of the team, or null (no storage conditions)."
  type        = string
  default     = null
}

variable "plans_prefix" {
  description = "Folder of the plan bundles in the state bucket (state.plans_prefix in idlc.yaml)."
  type        = string
  default     = "plans/"
}
