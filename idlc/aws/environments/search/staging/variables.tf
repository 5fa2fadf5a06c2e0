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

variable "monthly_budget_usd" {
  description = "Monthly budget of the team account in this environment."
  type        = number
}

variable "service_budgets_usd" {
  description = "Per-service monthly budgets (Cost Explorer service names)."
  type        = map(number)
  default     = {}
}

variable "budget_alert_emails" {
  description = "Who receives budget alerts directly."
  type        = list(string)
  default     = []
}

variable "alarm_subscriptions" {
  description = "Who is paged by the team's alarm topic."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}

variable "invocation_log_retention_days" {
  description = "Retention of Bedrock invocation logs (prompts)."
  type        = number
  default     = 30
}

variable "embedding_model_id" {
  description = "Embedding model of the docs corpus."
  type        = string
  default     = "amazon.titan-embed-text-v2:0"
}

variable "embedding_dimensions" {
  description = "Dimensions of the embedding model's vectors."
  type        = number
  default     = 1024
}

variable "answer_model_arn" {
  description = "Foundation model or system inference profile behind the answer profile."
  type        = string
}

variable "tokens_per_hour_max" {
  description = "Hourly token budget of the answer profile before the alarm pages."
  type        = number
}

variable "image_pull_principal_arns" {
  description = "Other accounts allowed to pull the team's images (promotion to the next env)."
  type        = list(string)
  default     = []
}
