variable "cluster_name" {
  description = "EKS cluster the team deploys to (eks-cluster module output cluster_name)."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be a valid EKS cluster name (1-100 letters, digits, '-' or '_')."
  }
}

variable "team" {
  description = "Team name (a key of teams in idlc.yaml)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.team))
    error_message = "team must be 3-32 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "namespaces" {
  description = "Kubernetes namespaces of the team (created with their guardrails by sdlc/platform). Access and Pod Identity associations are confined to these."
  type        = list(string)

  validation {
    condition     = length(var.namespaces) > 0 && alltrue([for n in var.namespaces : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", n)) && !contains(["default", "kube-system", "kube-public", "kube-node-lease", "argocd", "karpenter"], n)])
    error_message = "namespaces must be DNS-1123 labels and must not be default, kube-system, kube-public, kube-node-lease, argocd or karpenter."
  }
}

variable "access" {
  description = "IAM roles of the team's people or tools and their namespace-scoped access level: view, edit or admin (AmazonEKSViewPolicy / EditPolicy / AdminPolicy). Cluster-wide access is never granted here."
  type = list(object({
    principal_arn = string
    level         = optional(string, "edit")
  }))
  default = []

  validation {
    condition     = alltrue([for a in var.access : contains(["view", "edit", "admin"], a.level) && can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a.principal_arn))])
    error_message = "access[*].principal_arn must be an IAM role ARN and access[*].level one of view, edit, admin."
  }
}

variable "pod_identities" {
  description = "EKS Pod Identity associations: key = a name, value = the service account in one of the team's namespaces and the IAM role in the cluster account (iam-workload-role module, workload_type = eks-pod-identity). target_role_arn chains to a role in the team account (the cluster lives in the platform account)."
  type = map(object({
    namespace       = string
    service_account = string
    role_arn        = string
    target_role_arn = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for p in values(var.pod_identities) : contains(var.namespaces, p.namespace)])
    error_message = "pod_identities[*].namespace must be one of the team's namespaces (var.namespaces)."
  }

  validation {
    condition     = alltrue([for p in values(var.pod_identities) : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", p.role_arn)) && can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", p.service_account))])
    error_message = "pod_identities[*].role_arn must be an IAM role ARN and service_account a valid Kubernetes name."
  }
}

variable "tags" {
  description = "Tags for the access entries and associations."
  type        = map(string)
  default     = {}
}
