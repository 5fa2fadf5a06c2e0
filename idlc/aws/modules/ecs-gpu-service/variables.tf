variable "name" {
  description = "Service name, <team>-<env>-<app> (e.g. \"assistant-dev-embedder\"); also names the ECS cluster, capacity provider and roles."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the service (network module output vpc_id)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the GPU instances and the task ENIs (network module output private_subnet_ids)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must list at least one private subnet."
  }
}

variable "instance_type" {
  description = "GPU instance type of the capacity provider (g4dn, g5, g6, g6e, p4d, p5 ...)."
  type        = string
  default     = "g5.xlarge"

  validation {
    condition     = can(regex("^(g[4-6][a-z]*|g6e|gr6|p[3-6][a-z0-9-]*)\\.[0-9]*x?[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an NVIDIA GPU instance type, e.g. \"g5.xlarge\"."
  }
}

variable "capacity" {
  description = "GPU instances of the Auto Scaling group managed by the ECS capacity provider: min (0 = none while no task runs), max, and the instance root volume (the ECS GPU AMI stores images there)."
  type = object({
    min_size       = optional(number, 0)
    max_size       = optional(number, 2)
    volume_size_gb = optional(number, 200)
  })
  default = {}

  validation {
    condition     = var.capacity.min_size >= 0 && var.capacity.min_size <= var.capacity.max_size && var.capacity.max_size >= 1 && var.capacity.volume_size_gb >= 30
    error_message = "capacity must satisfy 0 <= min_size <= max_size, max_size >= 1 and volume_size_gb >= 30."
  }
}

variable "container" {
  description = "The inference container: image (pin by digest), port, GPUs per task (resourceRequirements GPU), CPU units and memory (MiB) reserved on the instance, environment, health check command, writable scratch paths (the root filesystem is read-only) and the non-root user to run as."
  type = object({
    image            = string
    port             = optional(number, 8080)
    gpus             = optional(number, 1)
    cpu              = optional(number, 2048)
    memory_mib       = optional(number, 14336)
    environment      = optional(map(string), {})
    command          = optional(list(string))
    health_check_cmd = optional(list(string))
    scratch_paths    = optional(list(string), ["/tmp"])
    user             = optional(string, "1000:1000")
  })

  validation {
    condition     = var.container.gpus >= 1 && var.container.gpus <= 8 && floor(var.container.gpus) == var.container.gpus
    error_message = "container.gpus must be a whole number between 1 and 8 (GPUs per task)."
  }

  validation {
    condition     = var.container.port >= 1 && var.container.port <= 65535
    error_message = "container.port must be a TCP port (1-65535)."
  }

  validation {
    condition     = var.container.cpu >= 128 && var.container.memory_mib >= 512
    error_message = "container.cpu must be at least 128 units and container.memory_mib at least 512."
  }

  validation {
    condition     = alltrue([for p in var.container.scratch_paths : startswith(p, "/") && p != "/"])
    error_message = "container.scratch_paths must be absolute paths other than \"/\"."
  }
}

variable "desired_count" {
  description = "Number of tasks. Each task takes container.gpus GPUs; the capacity provider launches instances to fit them."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= 0
    error_message = "desired_count must be >= 0."
  }
}

variable "task_role_arn" {
  description = "Role of the application (iam-workload-role, workload_type = ecs-tasks). null gives the task no AWS permissions."
  type        = string
  default     = null
}

variable "ingress_cidrs" {
  description = "CIDRs allowed to reach the container port (e.g. the VPC CIDR). 0.0.0.0/0 is refused: put a load balancer in front."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.ingress_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "ingress_cidrs must be valid CIDRs and must not contain 0.0.0.0/0."
  }
}

variable "ingress_security_group_ids" {
  description = "Security groups (e.g. of a load balancer) allowed to reach the container port."
  type        = list(string)
  default     = []
}

variable "target_group_arn" {
  description = "Load balancer target group (type ip) to register the tasks in. null for no load balancer."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the container logs (a CloudWatch Logs retention value)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the container log group (its policy must allow logs.<region>.amazonaws.com). null creates one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource; propagated to tasks and instances."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary set on every IAM role this module creates (aws_iam_role.instance, aws_iam_role.execution). Required: the team's apply role may create or change <team>-* roles only when they carry this boundary (idlc/aws/modules/github-oidc), e.g. arn:aws:iam::ACCOUNT:policy/idlc-workload-boundary."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN: arn:aws:iam::ACCOUNT:policy/NAME."
  }
}
