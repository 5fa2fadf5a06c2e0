locals {
  realtime   = var.mode == "real-time"
  serverless = var.mode == "serverless"
  async      = var.mode == "async"

  variant_name = "primary"

  # Instance autoscaling applies to instance-backed variants only.
  autoscale = var.autoscaling.enabled && !local.serverless

  create_success_topic = local.async && var.async.success_topic_arn == null
  create_error_topic   = local.async && var.async.error_topic_arn == null
  success_topic_arn    = local.create_success_topic ? aws_sns_topic.async_success[0].arn : var.async.success_topic_arn
  error_topic_arn      = local.create_error_topic ? aws_sns_topic.async_error[0].arn : var.async.error_topic_arn
}

resource "aws_sagemaker_model" "this" {
  execution_role_arn       = var.model.execution_role_arn
  enable_network_isolation = var.model.enable_network_isolation

  primary_container {
    image          = var.model.image
    model_data_url = var.model.model_data_url
    environment    = var.model.environment
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]
    content {
      subnets            = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = merge(var.tags, { "idlc:endpoint" = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

# A new configuration is created next to the old one (name_prefix) and the endpoint switches to
# it; only then is the old one deleted. A fixed name would force delete-then-create, which
# SageMaker refuses while the endpoint still uses the configuration.
resource "aws_sagemaker_endpoint_configuration" "this" {
  name_prefix = "${var.name}-"
  kms_key_arn = local.serverless ? null : var.kms_key_arn

  production_variants {
    variant_name = local.variant_name
    model_name   = aws_sagemaker_model.this.name

    initial_instance_count                            = local.serverless ? null : var.instance.initial_count
    instance_type                                     = local.serverless ? null : var.instance.type
    volume_size_in_gb                                 = local.serverless ? null : var.instance.volume_size_gb
    model_data_download_timeout_in_seconds            = local.serverless ? null : var.instance.model_data_download_timeout_s
    container_startup_health_check_timeout_in_seconds = local.serverless ? null : var.instance.container_startup_timeout_s

    dynamic "serverless_config" {
      for_each = local.serverless ? [var.serverless] : []
      content {
        memory_size_in_mb       = serverless_config.value.memory_size_in_mb
        max_concurrency         = serverless_config.value.max_concurrency
        provisioned_concurrency = serverless_config.value.provisioned_concurrency
      }
    }
  }

  dynamic "async_inference_config" {
    for_each = local.async ? [var.async] : []
    content {
      dynamic "client_config" {
        for_each = async_inference_config.value.max_concurrent_per_instance == null ? [] : [async_inference_config.value.max_concurrent_per_instance]
        content {
          max_concurrent_invocations_per_instance = client_config.value
        }
      }

      output_config {
        s3_output_path  = async_inference_config.value.output_s3_uri
        s3_failure_path = async_inference_config.value.failure_s3_uri
        kms_key_id      = var.kms_key_arn

        notification_config {
          success_topic                 = local.success_topic_arn
          error_topic                   = local.error_topic_arn
          include_inference_response_in = async_inference_config.value.include_inference_response_in
        }
      }
    }
  }

  dynamic "data_capture_config" {
    for_each = var.data_capture == null ? [] : [var.data_capture]
    content {
      enable_capture              = true
      initial_sampling_percentage = data_capture_config.value.sampling_percentage
      destination_s3_uri          = data_capture_config.value.destination_s3_uri
      kms_key_id                  = var.kms_key_arn

      capture_options {
        capture_mode = "InputAndOutput"
      }
    }
  }

  tags = merge(var.tags, { "idlc:endpoint" = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = var.name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name

  dynamic "deployment_config" {
    for_each = local.realtime && length(var.rollback_alarm_names) > 0 ? [1] : []
    content {
      blue_green_update_policy {
        termination_wait_in_seconds = 300

        traffic_routing_configuration {
          type                     = "ALL_AT_ONCE"
          wait_interval_in_seconds = 300
        }
      }

      auto_rollback_configuration {
        dynamic "alarms" {
          for_each = var.rollback_alarm_names
          content {
            alarm_name = alarms.value
          }
        }
      }
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# Async notifications
# ---------------------------------------------------------------------------------------------
resource "aws_sns_topic" "async_success" {
  count = local.create_success_topic ? 1 : 0

  name              = "${var.name}-async-success"
  kms_master_key_id = coalesce(var.kms_key_arn, "alias/aws/sns")

  tags = var.tags
}

resource "aws_sns_topic" "async_error" {
  count = local.create_error_topic ? 1 : 0

  name              = "${var.name}-async-error"
  kms_master_key_id = coalesce(var.kms_key_arn, "alias/aws/sns")

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# Autoscaling
# ---------------------------------------------------------------------------------------------
resource "aws_appautoscaling_target" "this" {
  count = local.autoscale ? 1 : 0

  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.this.name}/variant/${local.variant_name}"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = var.autoscaling.min_capacity
  max_capacity       = var.autoscaling.max_capacity

  tags = var.tags
}

resource "aws_appautoscaling_policy" "invocations" {
  count = local.autoscale && local.realtime ? 1 : 0

  name               = "${var.name}-invocations-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target_invocations_per_instance
    scale_in_cooldown  = var.autoscaling.scale_in_cooldown_s
    scale_out_cooldown = var.autoscaling.scale_out_cooldown_s

    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}

# Async: track the queue depth per instance (AWS's recommended metric for async endpoints).
resource "aws_appautoscaling_policy" "backlog" {
  count = local.autoscale && local.async ? 1 : 0

  name               = "${var.name}-backlog-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target_backlog_per_instance
    scale_in_cooldown  = var.autoscaling.scale_in_cooldown_s
    scale_out_cooldown = var.autoscaling.scale_out_cooldown_s

    customized_metric_specification {
      metric_name = "ApproximateBacklogSizePerInstance"
      namespace   = "AWS/SageMaker"
      statistic   = "Average"

      dimensions {
        name  = "EndpointName"
        value = aws_sagemaker_endpoint.this.name
      }
    }
  }
}

# Async with min_capacity = 0: target tracking cannot leave zero (no instance, no per-instance
# metric), so a step policy adds one instance when requests queue up with no capacity.
resource "aws_appautoscaling_policy" "scale_from_zero" {
  count = local.autoscale && local.async && var.autoscaling.min_capacity == 0 ? 1 : 0

  name               = "${var.name}-scale-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = var.autoscaling.scale_out_cooldown_s
    metric_aggregation_type = "Average"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "backlog_without_capacity" {
  count = length(aws_appautoscaling_policy.scale_from_zero)

  alarm_name          = "${var.name}-has-backlog-without-capacity"
  alarm_description   = "Requests are queued on ${var.name} while it has zero instances: scale out from zero."
  namespace           = "AWS/SageMaker"
  metric_name         = "HasBacklogWithoutCapacity"
  dimensions          = { EndpointName = aws_sagemaker_endpoint.this.name }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [aws_appautoscaling_policy.scale_from_zero[0].arn]

  tags = var.tags
}
