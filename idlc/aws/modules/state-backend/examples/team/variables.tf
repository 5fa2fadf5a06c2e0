variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "eu-west-1"
}

variable "break_glass_role_arn" {
  description = "The platform's break-glass role (the one that applies this bootstrap), exempt from the bucket's write-once and settings denies."
  type        = string
}
