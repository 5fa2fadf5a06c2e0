variable "name" {
  description = "Prefix of the alarms and name of the dashboard, usually <team>-<env> (e.g. \"assistant-dev\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topics notified when an alarm fires and when it recovers (account-baseline output alarm_topic_arn). Who is subscribed there is who gets paged."
  type        = list(string)

  validation {
    condition     = length(var.alarm_topic_arns) > 0 && alltrue([for a in var.alarm_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", a))])
    error_message = "alarm_topic_arns must list at least one SNS topic ARN: an alarm nobody receives is not monitoring."
  }
}

variable "sagemaker_endpoints" {
  description = <<-EOT
    SageMaker endpoints to watch, key = a short name. endpoint_name and variant_name are the
    EndpointName/VariantName metric dimensions (sagemaker-endpoint outputs). Thresholds: 5XX errors
    per 5 minutes, p90 ModelLatency in milliseconds (the metric is in microseconds; converted here),
    and the GPU-idle guard: average GPUUtilization below gpu_idle_percent for gpu_idle_minutes while
    the instances keep billing (gpu_hourly_cost_usd, if given, is quoted in the alarm).
  EOT
  type = map(object({
    endpoint_name       = string
    variant_name        = optional(string, "primary")
    async               = optional(bool, false)
    gpu                 = optional(bool, true)
    error_5xx_threshold = optional(number, 5)
    latency_p90_ms      = optional(number, 5000)
    gpu_idle_percent    = optional(number, 5)
    gpu_idle_minutes    = optional(number, 60)
    gpu_hourly_cost_usd = optional(number)
    max_queue_age_s     = optional(number, 900)
  }))
  default = {}

  validation {
    condition     = alltrue([for e in values(var.sagemaker_endpoints) : e.gpu_idle_minutes >= 15 && e.gpu_idle_minutes <= 1440 && e.gpu_idle_minutes % 5 == 0])
    error_message = "sagemaker_endpoints[*].gpu_idle_minutes must be a multiple of 5 between 15 and 1440 (alarms evaluate at most one day)."
  }

  validation {
    condition     = alltrue([for e in values(var.sagemaker_endpoints) : e.gpu_idle_percent > 0 && e.gpu_idle_percent < 100 && e.latency_p90_ms > 0 && e.error_5xx_threshold >= 0])
    error_message = "sagemaker_endpoints[*]: gpu_idle_percent must be between 0 and 100 (exclusive), latency_p90_ms > 0 and error_5xx_threshold >= 0."
  }
}

variable "bedrock_models" {
  description = <<-EOT
    Bedrock models to watch, key = a short name. model_id is the ModelId metric dimension: the exact
    modelId the application passes (foundation model ID, inference profile ID or ARN). Thresholds:
    throttles and server errors per 5 minutes, p90 InvocationLatency in milliseconds, and an optional
    hourly token budget (InputTokenCount + OutputTokenCount).
  EOT
  type = map(object({
    model_id               = string
    throttle_threshold     = optional(number, 10)
    server_error_threshold = optional(number, 5)
    latency_p90_ms         = optional(number, 20000)
    tokens_per_hour_max    = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for m in values(var.bedrock_models) : m.throttle_threshold >= 0 && m.server_error_threshold >= 0 && m.latency_p90_ms > 0 && (m.tokens_per_hour_max == null || try(m.tokens_per_hour_max > 0, false))])
    error_message = "bedrock_models[*] thresholds must be >= 0, latency_p90_ms > 0 and tokens_per_hour_max > 0 when set."
  }
}

variable "eks_gpu_clusters" {
  description = "EKS clusters whose GPU nodes are watched for idleness through Container Insights (enhanced observability with the NVIDIA DCGM metrics): alarm when GPUs exist (node_gpu_limit > 0) but average node_gpu_utilization stays below gpu_idle_percent."
  type = map(object({
    cluster_name     = string
    gpu_idle_percent = optional(number, 5)
    gpu_idle_minutes = optional(number, 60)
  }))
  default = {}

  validation {
    condition     = alltrue([for c in values(var.eks_gpu_clusters) : c.gpu_idle_minutes >= 15 && c.gpu_idle_minutes <= 1440 && c.gpu_idle_minutes % 5 == 0 && c.gpu_idle_percent > 0 && c.gpu_idle_percent < 100])
    error_message = "eks_gpu_clusters[*]: gpu_idle_minutes must be a multiple of 5 between 15 and 1440 and gpu_idle_percent between 0 and 100."
  }
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard with the watched endpoints and models."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for the alarms."
  type        = map(string)
  default     = {}
}
