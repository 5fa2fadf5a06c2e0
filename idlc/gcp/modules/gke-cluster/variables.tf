variable "name" {
  description = "Cluster name, e.g. \"assistant-dev\" (also prefixes the node service account and pools)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "name must be 3-20 characters of lowercase letters, digits and '-', starting with a letter (it prefixes a service account ID, max 30)."
  }
}

variable "project_id" {
  description = "Project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the (regional) cluster, e.g. \"europe-west4\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a GCP region such as \"europe-west4\" (regional clusters only)."
  }
}

variable "network" {
  description = "VPC network (self link or name)."
  type        = string
}

variable "subnetwork" {
  description = "Subnetwork (self link or name) with the secondary ranges for pods and services."
  type        = string
}

variable "pods_range_name" {
  description = "Secondary range of the subnetwork for pod IPs."
  type        = string
}

variable "services_range_name" {
  description = "Secondary range of the subnetwork for service IPs."
  type        = string
}

variable "master_ipv4_cidr_block" {
  description = "/28 for the private control plane endpoint."
  type        = string
  default     = "172.16.0.0/28"

  validation {
    condition     = can(cidrhost(var.master_ipv4_cidr_block, 0)) && endswith(var.master_ipv4_cidr_block, "/28")
    error_message = "master_ipv4_cidr_block must be a /28 CIDR."
  }
}

variable "enable_private_endpoint" {
  description = "Serve the control plane only on its private endpoint (CI reaches it from inside the VPC)."
  type        = bool
  default     = true
}

variable "master_authorized_networks" {
  description = "CIDRs allowed to reach the control plane. 0.0.0.0/0 is refused."
  type = list(object({
    cidr = string
    name = string
  }))
  default = []

  validation {
    condition     = alltrue([for n in var.master_authorized_networks : can(cidrhost(n.cidr, 0)) && n.cidr != "0.0.0.0/0"])
    error_message = "master_authorized_networks[*].cidr must be a valid CIDR other than 0.0.0.0/0."
  }
}

variable "rbac_security_group" {
  description = "Google Group (gke-security-groups@<domain>) whose nested groups can be bound in Kubernetes RBAC. Needs Google Workspace; null disables Google Groups for RBAC."
  type        = string
  default     = null

  validation {
    condition     = var.rbac_security_group == null || startswith(coalesce(var.rbac_security_group, "gke-security-groups@"), "gke-security-groups@")
    error_message = "rbac_security_group must be named gke-security-groups@<your-domain>."
  }
}

variable "release_channel" {
  description = "GKE release channel: RAPID, REGULAR or STABLE."
  type        = string
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "deletion_protection" {
  description = "Refuse to destroy the cluster (set false only in sandboxes)."
  type        = bool
  default     = true
}

variable "kms_key_name" {
  description = "Cloud KMS key for application-layer encryption of Kubernetes secrets (the GKE service agent needs encrypter/decrypter on it). null keeps Google's default encryption."
  type        = string
  default     = null
}

variable "system_pool" {
  description = "Node pool for system workloads and controllers."
  type = object({
    machine_type = optional(string, "e2-standard-4")
    min_nodes    = optional(number, 1)
    max_nodes    = optional(number, 3)
    disk_size_gb = optional(number, 100)
  })
  default = {}

  validation {
    condition     = var.system_pool.min_nodes >= 1 && var.system_pool.min_nodes <= var.system_pool.max_nodes
    error_message = "system_pool must satisfy 1 <= min_nodes <= max_nodes (per zone)."
  }
}

variable "gpu_pool" {
  description = <<-EOT
    GPU node pool (scales from zero): machine type and NVIDIA accelerator (g2-* with nvidia-l4,
    a2-highgpu-* with nvidia-tesla-a100, a2-ultragpu-* with nvidia-a100-80gb, a3-* with nvidia-h100-80gb,
    n1-* with nvidia-tesla-t4), GPUs per node, total node limits, spot VMs, and zones where the GPU
    exists. GKE installs the driver (gpu_driver_version) and taints the nodes nvidia.com/gpu.
  EOT
  type = object({
    enabled            = optional(bool, true)
    machine_type       = optional(string, "g2-standard-8")
    accelerator_type   = optional(string, "nvidia-l4")
    accelerator_count  = optional(number, 1)
    gpu_driver_version = optional(string, "LATEST")
    min_nodes          = optional(number, 0)
    max_nodes          = optional(number, 2)
    spot               = optional(bool, false)
    disk_size_gb       = optional(number, 200)
    node_locations     = optional(list(string))
  })
  default = {}

  validation {
    condition     = contains(["nvidia-l4", "nvidia-tesla-t4", "nvidia-tesla-a100", "nvidia-a100-80gb", "nvidia-h100-80gb", "nvidia-h100-mega-80gb", "nvidia-h200-141gb", "nvidia-tesla-v100"], var.gpu_pool.accelerator_type)
    error_message = "gpu_pool.accelerator_type must be an NVIDIA GPU type: nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h100-mega-80gb, nvidia-h200-141gb or nvidia-tesla-v100."
  }

  validation {
    condition = startswith(var.gpu_pool.machine_type, lookup({
      "nvidia-l4"             = "g2-"
      "nvidia-tesla-t4"       = "n1-"
      "nvidia-tesla-v100"     = "n1-"
      "nvidia-tesla-a100"     = "a2-highgpu-"
      "nvidia-a100-80gb"      = "a2-ultragpu-"
      "nvidia-h100-80gb"      = "a3-highgpu-"
      "nvidia-h100-mega-80gb" = "a3-megagpu-"
      "nvidia-h200-141gb"     = "a3-ultragpu-"
    }, var.gpu_pool.accelerator_type, "/unknown-accelerator/"))
    error_message = "gpu_pool.machine_type does not fit gpu_pool.accelerator_type: nvidia-l4 needs g2-*, nvidia-tesla-t4/v100 n1-*, nvidia-tesla-a100 a2-highgpu-*, nvidia-a100-80gb a2-ultragpu-*, nvidia-h100-80gb a3-highgpu-*, nvidia-h100-mega-80gb a3-megagpu-*, nvidia-h200-141gb a3-ultragpu-*."
  }

  validation {
    condition     = contains(["DEFAULT", "LATEST", "INSTALLATION_DISABLED"], var.gpu_pool.gpu_driver_version)
    error_message = "gpu_pool.gpu_driver_version must be DEFAULT, LATEST or INSTALLATION_DISABLED."
  }

  validation {
    condition     = var.gpu_pool.min_nodes >= 0 && var.gpu_pool.min_nodes <= var.gpu_pool.max_nodes && var.gpu_pool.accelerator_count >= 1
    error_message = "gpu_pool must satisfy 0 <= min_nodes <= max_nodes and accelerator_count >= 1."
  }
}

variable "labels" {
  description = "Labels for the cluster (resource_labels) and the nodes' VMs: with cost allocation on, GKE splits the bill by namespace and label."
  type        = map(string)
  default     = {}
}
