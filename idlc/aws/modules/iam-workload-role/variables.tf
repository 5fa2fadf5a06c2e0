variable "name" {
  description = "Role name. Start it with the team name (<team>-<env>-<workload>): the team's apply role may only manage roles named <team>-*."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits and +=,.@_- (IAM role name rules)."
  }
}

variable "workload_type" {
  description = "Who assumes the role: eks-pod-identity (pods.eks.amazonaws.com), sagemaker, ecs-tasks, bedrock or ec2."
  type        = string

  validation {
    condition     = contains(["eks-pod-identity", "sagemaker", "ecs-tasks", "bedrock", "ec2"], var.workload_type)
    error_message = "workload_type must be one of eks-pod-identity, sagemaker, ecs-tasks, bedrock, ec2."
  }
}

variable "description" {
  description = "What the workload is and why it needs these permissions."
  type        = string
  default     = "Workload role managed by idlc"
}

variable "policy_statements" {
  description = "Inline policy statements (least privilege: name the actions and the resources). Wildcard-only actions (\"*\", \"*:*\") are refused, and so is \"service:*\" on resource \"*\"."
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : contains(["Allow", "Deny"], s.effect) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "policy_statements[*].effect must be Allow or Deny, and actions and resources must not be empty."
  }

  validation {
    condition     = !anytrue(flatten([for s in var.policy_statements : [for a in s.actions : startswith(a, "*")]]))
    error_message = "policy_statements must not use wildcard actions (\"*\" or \"*:*\"): list the service actions the workload calls."
  }

  validation {
    condition     = !anytrue([for s in var.policy_statements : s.effect == "Allow" && contains(s.resources, "*") && anytrue([for a in s.actions : endswith(a, ":*")])])
    error_message = "policy_statements must not allow \"service:*\" on resource \"*\": narrow the actions or the resources."
  }
}

variable "managed_policy_arns" {
  description = "Managed policies to attach (prefer policy_statements). AdministratorAccess and PowerUserAccess are refused."
  type        = list(string)
  default     = []

  validation {
    condition     = !anytrue([for a in var.managed_policy_arns : endswith(a, ":policy/AdministratorAccess") || endswith(a, ":policy/PowerUserAccess")])
    error_message = "managed_policy_arns must not contain AdministratorAccess or PowerUserAccess: a workload role gets only what the workload calls."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for the role (required when the team's apply role enforces one)."
  type        = string
  default     = null
}

variable "max_session_duration" {
  description = "Maximum session length in seconds (3600-43200)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
