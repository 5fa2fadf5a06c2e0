variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "eu-west-1"
}

variable "break_glass_role_arn" {
  description = "The platform's break-glass role that applies this bootstrap (exempt from the state bucket's write-once and settings denies)."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary managed by the platform, e.g. arn:aws:iam::ACCOUNT:policy/idlc-workload-boundary."
  type        = string
}
