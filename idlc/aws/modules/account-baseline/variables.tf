variable "name" {
  description = "Name prefix for the baseline resources, usually <team>-<env> (e.g. \"search-dev\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget of the account in USD. Alerts fire on the forecast (before the money is spent) and on actual spend."
  type        = number

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be a positive amount in USD."
  }
}

variable "forecast_alert_percent" {
  description = "Alert when the month's forecasted spend exceeds this percentage of the budget."
  type        = number
  default     = 100

  validation {
    condition     = var.forecast_alert_percent > 0 && var.forecast_alert_percent <= 1000
    error_message = "forecast_alert_percent must be between 1 and 1000."
  }
}

variable "actual_alert_percents" {
  description = "Alert when actual spend crosses each of these percentages of the budget."
  type        = list(number)
  default     = [80, 100]

  validation {
    condition     = alltrue([for p in var.actual_alert_percents : p > 0 && p <= 1000])
    error_message = "actual_alert_percents must be between 1 and 1000."
  }
}

variable "service_budgets_usd" {
  description = "Extra monthly budgets per AWS service, keyed by the Cost Explorer service name, e.g. { \"Amazon SageMaker\" = 2000, \"Amazon Bedrock\" = 1000 }. GPU and token spend get their own forecast alert."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.service_budgets_usd : v > 0 && length(k) > 0])
    error_message = "service_budgets_usd values must be positive USD amounts keyed by a Cost Explorer service name."
  }
}

variable "budget_alert_emails" {
  description = "Email addresses that receive budget alerts directly (in addition to the alarm topic)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.budget_alert_emails) <= 10 && alltrue([for e in var.budget_alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "budget_alert_emails must be at most 10 valid email addresses (AWS Budgets limit)."
  }
}

variable "alarm_subscriptions" {
  description = "Subscribers of the alarm topic: who gets paged. protocol is email, https (e.g. a PagerDuty or Opsgenie integration URL), sqs or lambda."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.alarm_subscriptions : contains(["email", "https", "sqs", "lambda"], s.protocol)])
    error_message = "alarm_subscriptions[*].protocol must be email, https, sqs or lambda (plain http is refused)."
  }
}

variable "bedrock_invocation_logging" {
  description = "Bedrock model invocation logging for the region: every InvokeModel/Converse call logged to an encrypted CloudWatch log group. Text logging includes prompts and completions: keep retention short where prompts may hold personal data."
  type = object({
    enabled        = optional(bool, true)
    log_text       = optional(bool, true)
    log_embeddings = optional(bool, false)
    log_images     = optional(bool, false)
    retention_days = optional(number, 30)
  })
  default = {}

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.bedrock_invocation_logging.retention_days)
    error_message = "bedrock_invocation_logging.retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "cost_allocation_tag_keys" {
  description = "Tag keys to activate as cost allocation tags (the provider default_tags of every stack). Only effective with activate_cost_allocation_tags."
  type        = list(string)
  default     = ["team", "env", "cost-center", "owner", "stack", "managed-by"]
}

variable "activate_cost_allocation_tags" {
  description = "Activate cost_allocation_tag_keys in Billing. Only the management (payer) account can do this, and only for keys already seen on resources: enable it in the management account's baseline."
  type        = bool
  default     = false
}

variable "account_guardrails" {
  description = "Account-wide guardrails: S3 Block Public Access for the whole account and EBS encryption by default."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for the alarm topic and the Bedrock log group. null creates one (alias/<name>-baseline)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the baseline resources."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary set on every IAM role this module creates (aws_iam_role.bedrock_logging). Required: the team's apply role may create or change <team>-* roles only when they carry this boundary (idlc/aws/modules/github-oidc), e.g. arn:aws:iam::ACCOUNT:policy/idlc-workload-boundary."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN: arn:aws:iam::ACCOUNT:policy/NAME."
  }
}
