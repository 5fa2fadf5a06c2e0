variable "name" {
  description = "Cluster name, e.g. \"platform-dev\" (also the Karpenter discovery tag value)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version (e.g. \"1.33\"). Upgrade one minor at a time, dev first."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version like \"1.33\"."
  }
}

variable "subnet_ids" {
  description = "Private subnets (at least two AZs) for the control plane ENIs and the nodes (network module output private_subnet_ids)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two private subnets in different availability zones."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API publicly (restricted to public_access_cidrs). Off by default: CI and people reach the private endpoint through the VPC."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint when endpoint_public_access is true. 0.0.0.0/0 is refused."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "public_access_cidrs must be valid CIDRs and must not contain 0.0.0.0/0."
  }
}

variable "cluster_admin_principal_arns" {
  description = "IAM roles with cluster-admin (AmazonEKSClusterAdminPolicy, cluster scope): the platform apply role and a break-glass role. Teams get namespace-scoped access through eks-team-access."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.cluster_admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "cluster_admin_principal_arns must be IAM role ARNs."
  }
}

variable "enabled_log_types" {
  description = "Control plane log types sent to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = alltrue([for t in var.enabled_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "enabled_log_types must be among api, audit, authenticator, controllerManager, scheduler."
  }
}

variable "log_retention_days" {
  description = "Retention of control plane logs (a CloudWatch Logs retention value)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "support_type" {
  description = "EKS version support: STANDARD (the cluster is upgraded when standard support ends) or EXTENDED (six times the control plane price after standard support ends)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], var.support_type)
    error_message = "support_type must be STANDARD or EXTENDED."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster until protection is switched off (set true in prod)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for Kubernetes secrets envelope encryption and control plane logs. null creates one (alias/<name>-eks). Node volumes are encrypted with the account's default EBS key (no Auto Scaling key grant needed)."
  type        = string
  default     = null
}

variable "addons" {
  description = "EKS managed add-ons and optional pinned versions (null = the default version for the cluster's Kubernetes version). eks-pod-identity-agent is required by eks-team-access and Karpenter."
  type        = map(object({ version = optional(string) }))
  default = {
    "vpc-cni"                = {}
    "coredns"                = {}
    "kube-proxy"             = {}
    "eks-pod-identity-agent" = {}
  }

  validation {
    condition     = contains(keys(var.addons), "eks-pod-identity-agent")
    error_message = "addons must include eks-pod-identity-agent: workload IAM uses EKS Pod Identity."
  }
}

variable "system_node_group" {
  description = "Managed node group for cluster add-ons and controllers (CoreDNS, Karpenter, Argo CD)."
  type = object({
    instance_types = optional(list(string), ["m7i.large"])
    min_size       = optional(number, 2)
    max_size       = optional(number, 4)
    desired_size   = optional(number, 2)
    disk_size_gb   = optional(number, 50)
  })
  default = {}

  validation {
    condition     = var.system_node_group.min_size >= 1 && var.system_node_group.min_size <= var.system_node_group.desired_size && var.system_node_group.desired_size <= var.system_node_group.max_size
    error_message = "system_node_group sizes must satisfy 1 <= min_size <= desired_size <= max_size."
  }
}

variable "gpu" {
  description = <<-EOT
    GPU capacity. mode "karpenter" creates the Karpenter controller and node roles, the interruption
    queue and renders a GPU NodePool + EC2NodeClass (output karpenter_gpu_manifests) for the platform
    GitOps folder; mode "managed_node_group" creates a tainted managed node group on an NVIDIA AMI
    (AL2023_x86_64_NVIDIA or BOTTLEROCKET_x86_64_NVIDIA) that scales from zero; "none" adds no GPUs.
    GPU nodes are tainted nvidia.com/gpu=true:NoSchedule so only pods that request GPUs land there.
  EOT
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

  validation {
    condition     = contains(["karpenter", "managed_node_group", "none"], var.gpu.mode)
    error_message = "gpu.mode must be \"karpenter\", \"managed_node_group\" or \"none\"."
  }

  validation {
    condition     = contains(["AL2023_x86_64_NVIDIA", "AL2023_ARM_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA"], var.gpu.ami_type)
    error_message = "gpu.ami_type must be an NVIDIA AMI type: AL2023_x86_64_NVIDIA, AL2023_ARM_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA or BOTTLEROCKET_ARM_64_NVIDIA."
  }

  validation {
    condition     = alltrue([for t in var.gpu.instance_types : can(regex("^(g[4-6][a-z]*|g6e|gr6|p[3-6][a-z0-9-]*)\\.[0-9]*x?[a-z0-9]+$", t))])
    error_message = "gpu.instance_types must be NVIDIA GPU instance types (g4dn, g5, g6, g6e, gr6, p4d, p5, ...), e.g. \"g5.xlarge\"."
  }

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.gpu.capacity_type)
    error_message = "gpu.capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition     = can(regex("^(al2023|bottlerocket)@(latest|v[0-9][0-9.]*)$", var.gpu.karpenter_ami))
    error_message = "gpu.karpenter_ami must be an EC2NodeClass AMI alias such as \"al2023@latest\" or a pinned \"al2023@v20250601\" (pin it in prod)."
  }

  validation {
    condition     = var.gpu.min_size >= 0 && var.gpu.min_size <= var.gpu.max_size && var.gpu.max_gpus >= 1 && var.gpu.idle_minutes >= 1
    error_message = "gpu sizes must satisfy 0 <= min_size <= max_size, max_gpus >= 1 and idle_minutes >= 1."
  }
}

variable "tags" {
  description = "Tags for every resource of the cluster (also propagated to nodes and their volumes)."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary set on every IAM role this module creates (aws_iam_role.cluster, aws_iam_role.node, aws_iam_role.karpenter_node, aws_iam_role.karpenter_controller). Required: the team's apply role may create or change <team>-* roles only when they carry this boundary (idlc/aws/modules/github-oidc), e.g. arn:aws:iam::ACCOUNT:policy/idlc-workload-boundary."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN: arn:aws:iam::ACCOUNT:policy/NAME."
  }
}
