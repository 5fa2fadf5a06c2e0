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

variable "cidr_block" {
  description = "CIDR of the environment's VPC (must not overlap other environments: they may be peered)."
  type        = string
}

variable "nat_gateway_mode" {
  description = "single (dev, staging) or per-az (prod)."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs."
  type        = number
}

variable "monthly_budget_usd" {
  description = "Monthly budget of the platform account in this environment."
  type        = number
}

variable "budget_alert_emails" {
  description = "Who receives budget alerts directly."
  type        = list(string)
  default     = []
}

variable "alarm_subscriptions" {
  description = "Who is paged by the platform alarm topic."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}
