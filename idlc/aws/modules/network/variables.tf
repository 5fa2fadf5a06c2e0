variable "name" {
  description = "Name prefix of the VPC and its resources, e.g. \"platform-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC, /16 to /20. Private subnets get 1/16 of it each (a /20 per AZ in a /16: room for EKS pod IPs), public subnets a /24 each."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be a valid IPv4 CIDR between /16 and /20, e.g. \"10.20.0.0/16\"."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread subnets over (2 or 3) when availability_zones is null."
  type        = number
  default     = 3

  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "az_count must be 2 or 3."
  }
}

variable "availability_zones" {
  description = "Availability zones to use, pinned by name (e.g. [\"eu-west-1a\", \"eu-west-1b\"]). null takes the first az_count zones of the region."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null || contains([2, 3], length(coalesce(var.availability_zones, [])))
    error_message = "availability_zones must list 2 or 3 zones (or be null)."
  }
}

variable "nat_gateway_mode" {
  description = "Egress for private subnets: \"single\" (one NAT gateway, cheapest, for dev), \"per-az\" (one per AZ, survives an AZ outage, for prod) or \"none\" (no internet egress; AWS services only through endpoints)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "per-az", "none"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"single\", \"per-az\" or \"none\"."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface endpoints (private DNS) instead of the NAT gateway. S3 always gets a free gateway endpoint."
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "bedrock-runtime", "bedrock-agent-runtime", "sagemaker.runtime", "sts", "logs"]

  validation {
    condition = alltrue([for s in var.interface_endpoints : contains([
      "ecr.api", "ecr.dkr", "bedrock", "bedrock-runtime", "bedrock-agent-runtime", "sagemaker.api",
      "sagemaker.runtime", "sts", "logs", "monitoring", "kms", "ssm", "secretsmanager", "eks", "eks-auth",
      "ec2", "elasticloadbalancing", "sqs",
    ], s)])
    error_message = "interface_endpoints must name services this module supports: ecr.api, ecr.dkr, bedrock, bedrock-runtime, bedrock-agent-runtime, sagemaker.api, sagemaker.runtime, sts, logs, monitoring, kms, ssm, secretsmanager, eks, eks-auth, ec2, elasticloadbalancing, sqs (S3 always has a gateway endpoint)."
  }
}

variable "eks_cluster_names" {
  description = "EKS clusters that will use this VPC: subnets get the kubernetes.io/cluster/<name> and karpenter.sh/discovery tags the load balancer controller and Karpenter look for."
  type        = list(string)
  default     = []
}

variable "flow_log_retention_days" {
  description = "Retention of VPC flow logs in CloudWatch Logs (a CloudWatch Logs retention value)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the flow log group. null creates a dedicated key (alias/<name>-network) usable by CloudWatch Logs."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource of the network."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary set on every IAM role this module creates (aws_iam_role.flow_logs). Required: the team's apply role may create or change <team>-* roles only when they carry this boundary (idlc/aws/modules/github-oidc), e.g. arn:aws:iam::ACCOUNT:policy/idlc-workload-boundary."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN: arn:aws:iam::ACCOUNT:policy/NAME."
  }
}
