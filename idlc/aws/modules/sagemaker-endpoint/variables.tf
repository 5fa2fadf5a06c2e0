variable "name" {
  description = "Endpoint name (also the prefix of the model and endpoint configuration names), e.g. \"assistant-dev-llm\"."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,40}$", var.name))
    error_message = "name must be 1-41 characters of letters, digits and '-', starting and ending with a letter or digit (leaves room for the generated configuration suffix)."
  }
}

variable "mode" {
  description = "Inference mode: \"real-time\" (instances always on, lowest latency), \"serverless\" (CPU only, scales to zero, pay per request) or \"async\" (queued requests, S3 results, scales to zero)."
  type        = string
  default     = "real-time"

  validation {
    condition     = contains(["real-time", "serverless", "async"], var.mode)
    error_message = "mode must be \"real-time\", \"serverless\" or \"async\"."
  }
}

variable "model" {
  description = "The model container: image (ECR URI), optional model artifacts in S3 (model_data_url) and environment, the SageMaker execution role (iam-workload-role module, workload_type = sagemaker). Network isolation is on by default: the container gets no outbound network (artifacts still come from S3)."
  type = object({
    image                    = string
    execution_role_arn       = string
    model_data_url           = optional(string)
    environment              = optional(map(string), {})
    enable_network_isolation = optional(bool, true)
  })

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.model.execution_role_arn))
    error_message = "model.execution_role_arn must be an IAM role ARN."
  }

  validation {
    condition     = var.model.model_data_url == null || startswith(coalesce(var.model.model_data_url, "s3://"), "s3://")
    error_message = "model.model_data_url must be an s3:// URI."
  }
}

variable "vpc_config" {
  description = "Run the model in these private subnets and security groups (recommended for real-time and async: traffic to S3/ECR goes through the VPC endpoints)."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "instance" {
  description = "Instances for real-time and async modes: ML instance type (ml.g5.xlarge, ml.inf2.xlarge, ...), initial count, storage volume and timeouts for large model downloads."
  type = object({
    type                          = optional(string, "ml.g5.xlarge")
    initial_count                 = optional(number, 1)
    volume_size_gb                = optional(number)
    model_data_download_timeout_s = optional(number, 1200)
    container_startup_timeout_s   = optional(number, 900)
  })
  default = {}

  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[0-9]*x?[a-z0-9]+$", var.instance.type))
    error_message = "instance.type must be a SageMaker instance type such as \"ml.g5.xlarge\" or \"ml.inf2.xlarge\"."
  }

  validation {
    condition     = var.instance.initial_count >= 1
    error_message = "instance.initial_count must be at least 1 (async endpoints scale to zero through autoscaling after creation)."
  }

  validation {
    condition     = var.instance.model_data_download_timeout_s >= 60 && var.instance.model_data_download_timeout_s <= 3600 && var.instance.container_startup_timeout_s >= 60 && var.instance.container_startup_timeout_s <= 3600
    error_message = "instance timeouts must be between 60 and 3600 seconds."
  }

  validation {
    condition     = var.instance.volume_size_gb == null || try(var.instance.volume_size_gb >= 1 && var.instance.volume_size_gb <= 512, false)
    error_message = "instance.volume_size_gb must be between 1 and 512 (or null for the instance default)."
  }
}

variable "serverless" {
  description = "Serverless mode settings: memory (1024-6144 MB in 1024 MB steps), maximum concurrency (1-200) and optional provisioned concurrency (<= max_concurrency) to avoid cold starts."
  type = object({
    memory_size_in_mb       = optional(number, 2048)
    max_concurrency         = optional(number, 5)
    provisioned_concurrency = optional(number)
  })
  default = {}

  validation {
    condition     = contains([1024, 2048, 3072, 4096, 5120, 6144], var.serverless.memory_size_in_mb)
    error_message = "serverless.memory_size_in_mb must be 1024, 2048, 3072, 4096, 5120 or 6144 (1 GB steps)."
  }

  validation {
    condition     = var.serverless.max_concurrency >= 1 && var.serverless.max_concurrency <= 200 && floor(var.serverless.max_concurrency) == var.serverless.max_concurrency
    error_message = "serverless.max_concurrency must be a whole number between 1 and 200."
  }

  validation {
    condition     = var.serverless.provisioned_concurrency == null || try(var.serverless.provisioned_concurrency >= 1 && var.serverless.provisioned_concurrency <= var.serverless.max_concurrency, false)
    error_message = "serverless.provisioned_concurrency must be between 1 and serverless.max_concurrency."
  }
}

variable "async" {
  description = "Async mode settings: S3 output and failure paths (s3://bucket/prefix), concurrency per instance, and SNS notifications (topics created, KMS-encrypted, unless given)."
  type = object({
    output_s3_uri                 = optional(string)
    failure_s3_uri                = optional(string)
    max_concurrent_per_instance   = optional(number)
    success_topic_arn             = optional(string)
    error_topic_arn               = optional(string)
    include_inference_response_in = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = alltrue([for u in [var.async.output_s3_uri, var.async.failure_s3_uri] : u == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", u))])
    error_message = "async.output_s3_uri and async.failure_s3_uri must be s3://bucket/prefix URIs."
  }

  validation {
    condition     = alltrue([for t in var.async.include_inference_response_in : contains(["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"], t)])
    error_message = "async.include_inference_response_in may contain SUCCESS_NOTIFICATION_TOPIC and ERROR_NOTIFICATION_TOPIC."
  }

  validation {
    condition     = var.mode != "async" || var.async.output_s3_uri != null
    error_message = "async.output_s3_uri is required when mode = \"async\" (where SageMaker writes the results)."
  }
}

variable "autoscaling" {
  description = "Instance autoscaling for real-time and async modes. Real-time tracks SageMakerVariantInvocationsPerInstance; async tracks ApproximateBacklogSizePerInstance and may scale to zero (min_capacity = 0) with a scale-from-zero policy on HasBacklogWithoutCapacity."
  type = object({
    enabled                         = optional(bool, true)
    min_capacity                    = optional(number, 1)
    max_capacity                    = optional(number, 2)
    target_invocations_per_instance = optional(number, 10)
    target_backlog_per_instance     = optional(number, 5)
    scale_in_cooldown_s             = optional(number, 600)
    scale_out_cooldown_s            = optional(number, 120)
  })
  default = {}

  validation {
    condition     = var.autoscaling.min_capacity >= 0 && var.autoscaling.min_capacity <= var.autoscaling.max_capacity && var.autoscaling.max_capacity >= 1
    error_message = "autoscaling must satisfy 0 <= min_capacity <= max_capacity and max_capacity >= 1."
  }

  validation {
    condition     = var.autoscaling.target_invocations_per_instance > 0 && var.autoscaling.target_backlog_per_instance > 0
    error_message = "autoscaling targets must be positive."
  }

  validation {
    condition     = var.autoscaling.min_capacity >= 1 || var.mode == "async"
    error_message = "autoscaling.min_capacity = 0 (scale to zero) is only possible in async mode; use serverless for scale-to-zero real-time traffic."
  }
}

variable "data_capture" {
  description = "Capture a sample of requests and responses to S3 (model monitoring, evaluation datasets). Prompts may contain personal data: use an encrypted bucket with a short lifecycle."
  type = object({
    destination_s3_uri  = string
    sampling_percentage = optional(number, 10)
  })
  default = null

  validation {
    condition     = var.data_capture == null || try(var.data_capture.sampling_percentage >= 1 && var.data_capture.sampling_percentage <= 100 && startswith(var.data_capture.destination_s3_uri, "s3://"), false)
    error_message = "data_capture.sampling_percentage must be between 1 and 100 and destination_s3_uri an s3:// URI."
  }
}

variable "rollback_alarm_names" {
  description = "CloudWatch alarms watched during a blue/green deployment of a new endpoint configuration (real-time mode): if one fires, SageMaker rolls back to the old fleet."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "KMS key for the ML storage volumes, async outputs, data capture and the async SNS topics. null uses AWS managed keys. Not used in serverless mode (not supported there)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the model, endpoint configuration, endpoint and topics."
  type        = map(string)
  default     = {}
}
