variable "idlc" {
  description = "Injected by idlc from the platform registry (idlc.yaml); never set by hand."
  type = object({
    team        = string
    env         = string
    account_id  = string
    region      = string
    cost_center = string
    owner       = string
    stack       = string
  })
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the cluster (upgrade dev first)."
  type        = string
}

variable "deletion_protection" {
  description = "Protect the cluster from deletion (prod)."
  type        = bool
}

variable "break_glass_role_arns" {
  description = "Roles with cluster-admin besides the platform apply role (incident access)."
  type        = list(string)
  default     = []
}

variable "system_node_group" {
  description = "Sizing of the system node group (see the eks-cluster module)."
  type = object({
    instance_types = optional(list(string), ["m7i.large"])
    min_size       = optional(number, 2)
    max_size       = optional(number, 4)
    desired_size   = optional(number, 2)
    disk_size_gb   = optional(number, 50)
  })
  default = {}
}

variable "gpu" {
  description = "GPU capacity path of the cluster (see the eks-cluster module)."
  type = object({
    mode           = optional(string, "karpenter")
    instance_types = optional(list(string), ["g5.xlarge", "g5.2xlarge", "g6.xlarge", "g6.2xlarge"])
    capacity_type  = optional(string, "ON_DEMAND")
    ami_type       = optional(string, "AL2023_x86_64_NVIDIA")
    karpenter_ami  = optional(string, "al2023@latest")
    disk_size_gb   = optional(number, 200)
    min_size       = optional(number, 0)
    max_size       = optional(number, 4)
    max_gpus       = optional(number, 8)
    idle_minutes   = optional(number, 10)
  })
  default = {}
}

variable "gpu_idle_minutes" {
  description = "How long GPU nodes may idle before the money-burning alarm pages."
  type        = number
  default     = 60
}

variable "teams" {
  description = "Teams on the shared cluster: namespaces, namespace-scoped access of their roles, Pod Identity associations (see the eks-team-access module)."
  type = map(object({
    namespaces = list(string)
    access = optional(list(object({
      principal_arn = string
      level         = optional(string, "edit")
    })), [])
    pod_identities = optional(map(object({
      namespace       = string
      service_account = string
      role_arn        = string
      target_role_arn = optional(string)
    })), {})
  }))
  default = {}
}
