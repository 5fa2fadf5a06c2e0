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

variable "inference_profiles" {
  description = "Application inference profiles (application => model source)."
  type = map(object({
    model_source_arn = string
    description      = optional(string)
  }))
}

variable "denied_topics" {
  description = "Topics the assistant's guardrail refuses."
  type = list(object({
    name       = string
    definition = string
    examples   = optional(list(string), [])
  }))
  default = []
}

variable "tokens_per_hour_max" {
  description = "Hourly token budget per inference profile before the alarm pages."
  type        = number
}

variable "image_pull_principal_arns" {
  description = "Other accounts allowed to pull the team's images (promotion to the next env)."
  type        = list(string)
  default     = []
}

variable "llm" {
  description = "The self-hosted LLM on SageMaker: image tag (pin by immutable tag; CI bumps it), artifact under llm/ in the model bucket, instance type and count bounds, latency alarm threshold, and the hourly instance price quoted by the GPU-idle alarm."
  type = object({
    image_tag                       = string
    model_artifact                  = string
    instance_type                   = string
    min_instances                   = number
    max_instances                   = number
    volume_size_gb                  = optional(number)
    target_invocations_per_instance = optional(number, 10)
    latency_p90_ms                  = optional(number, 5000)
    hourly_cost_usd                 = optional(number)
    environment                     = optional(map(string), {})
  })
}
