data "aws_region" "current" {}

locals {
  region  = data.aws_region.current.region
  actions = var.alarm_topic_arns

  # Metric namespaces and dimensions, as SageMaker and Bedrock publish them:
  #   AWS/SageMaker            Invocations, Invocation4XXErrors, Invocation5XXErrors, ModelLatency (µs)
  #                            - dimensions EndpointName + VariantName
  #   AWS/SageMaker            ApproximateAgeOfOldestRequest (async) - dimension EndpointName
  #   /aws/sagemaker/Endpoints GPUUtilization, GPUMemoryUtilization, CPUUtilization (% per GPU/core,
  #                            summed over the GPUs of an instance) - dimensions EndpointName + VariantName
  #   AWS/Bedrock              Invocations, InvocationLatency (ms), InvocationThrottles,
  #                            InvocationServerErrors, InvocationClientErrors, InputTokenCount,
  #                            OutputTokenCount - dimension ModelId
  #   ContainerInsights        node_gpu_utilization, node_gpu_limit - dimension ClusterName
  sm_invocation_ns = "AWS/SageMaker"
  sm_instance_ns   = "/aws/sagemaker/Endpoints"
  bedrock_ns       = "AWS/Bedrock"

  sm_dims = { for k, e in var.sagemaker_endpoints : k => { EndpointName = e.endpoint_name, VariantName = e.variant_name } }

  gpu_endpoints   = { for k, e in var.sagemaker_endpoints : k => e if e.gpu }
  async_endpoints = { for k, e in var.sagemaker_endpoints : k => e if e.async }
  token_budgets   = { for k, m in var.bedrock_models : k => m if m.tokens_per_hour_max != null }
}

# ---------------------------------------------------------------------------------------------
# SageMaker endpoints
# ---------------------------------------------------------------------------------------------
resource "aws_cloudwatch_metric_alarm" "sagemaker_5xx" {
  for_each = var.sagemaker_endpoints

  alarm_name          = "${var.name}-sagemaker-${each.key}-5xx"
  alarm_description   = "SageMaker endpoint ${each.value.endpoint_name}/${each.value.variant_name} returned more than ${each.value.error_5xx_threshold} 5XX errors in 5 minutes (model container failing or out of memory)."
  namespace           = local.sm_invocation_ns
  metric_name         = "Invocation5XXErrors"
  dimensions          = local.sm_dims[each.key]
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = each.value.error_5xx_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "sagemaker_latency" {
  for_each = var.sagemaker_endpoints

  alarm_name          = "${var.name}-sagemaker-${each.key}-model-latency-p90"
  alarm_description   = "p90 ModelLatency of ${each.value.endpoint_name}/${each.value.variant_name} above ${each.value.latency_p90_ms} ms for 15 minutes."
  namespace           = local.sm_invocation_ns
  metric_name         = "ModelLatency"
  dimensions          = local.sm_dims[each.key]
  extended_statistic  = "p90"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  # ModelLatency is published in microseconds.
  threshold           = each.value.latency_p90_ms * 1000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# The money-burning guard: GPU instances bill by the hour whether or not they compute.
resource "aws_cloudwatch_metric_alarm" "sagemaker_gpu_idle" {
  for_each = local.gpu_endpoints

  alarm_name = "${var.name}-sagemaker-${each.key}-gpu-idle"
  alarm_description = join(" ", compact([
    "GPU idle, money burning: GPUUtilization of ${each.value.endpoint_name}/${each.value.variant_name} averaged below ${each.value.gpu_idle_percent} % for ${each.value.gpu_idle_minutes} minutes.",
    each.value.gpu_hourly_cost_usd == null ? "" : "Each instance costs about ${each.value.gpu_hourly_cost_usd} USD per hour.",
    "Scale the variant down (autoscaling min_capacity), switch to async/serverless, or delete the endpoint.",
  ]))
  namespace           = local.sm_instance_ns
  metric_name         = "GPUUtilization"
  dimensions          = local.sm_dims[each.key]
  statistic           = "Average"
  period              = 300
  evaluation_periods  = each.value.gpu_idle_minutes / 5
  datapoints_to_alarm = each.value.gpu_idle_minutes / 5
  threshold           = each.value.gpu_idle_percent
  comparison_operator = "LessThanThreshold"
  # No data means no instance is running (async scaled to zero): nothing is burning.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.actions
  ok_actions         = local.actions

  tags = merge(var.tags, { "idlc:alarm" = "gpu-idle" })
}

resource "aws_cloudwatch_metric_alarm" "sagemaker_async_queue_age" {
  for_each = local.async_endpoints

  alarm_name          = "${var.name}-sagemaker-${each.key}-queue-age"
  alarm_description   = "The oldest queued request of async endpoint ${each.value.endpoint_name} waits for more than ${each.value.max_queue_age_s} s (capacity too low or stuck instances)."
  namespace           = local.sm_invocation_ns
  metric_name         = "ApproximateAgeOfOldestRequest"
  dimensions          = { EndpointName = each.value.endpoint_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = each.value.max_queue_age_s
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# Bedrock models
# ---------------------------------------------------------------------------------------------
resource "aws_cloudwatch_metric_alarm" "bedrock_throttles" {
  for_each = var.bedrock_models

  alarm_name          = "${var.name}-bedrock-${each.key}-throttles"
  alarm_description   = "More than ${each.value.throttle_threshold} throttled Bedrock calls in 5 minutes for ${each.value.model_id}: raise the quota, use a cross-region inference profile, or buy provisioned throughput."
  namespace           = local.bedrock_ns
  metric_name         = "InvocationThrottles"
  dimensions          = { ModelId = each.value.model_id }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = each.value.throttle_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "bedrock_server_errors" {
  for_each = var.bedrock_models

  alarm_name          = "${var.name}-bedrock-${each.key}-server-errors"
  alarm_description   = "More than ${each.value.server_error_threshold} Bedrock server errors in 5 minutes for ${each.value.model_id}."
  namespace           = local.bedrock_ns
  metric_name         = "InvocationServerErrors"
  dimensions          = { ModelId = each.value.model_id }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = each.value.server_error_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "bedrock_latency" {
  for_each = var.bedrock_models

  alarm_name          = "${var.name}-bedrock-${each.key}-latency-p90"
  alarm_description   = "p90 InvocationLatency of ${each.value.model_id} above ${each.value.latency_p90_ms} ms for 15 minutes."
  namespace           = local.bedrock_ns
  metric_name         = "InvocationLatency"
  dimensions          = { ModelId = each.value.model_id }
  extended_statistic  = "p90"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = each.value.latency_p90_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "bedrock_token_budget" {
  for_each = local.token_budgets

  alarm_name          = "${var.name}-bedrock-${each.key}-tokens-per-hour"
  alarm_description   = "More than ${each.value.tokens_per_hour_max} tokens (input + output) in one hour on ${each.value.model_id}: a runaway loop or abuse burns money by the token."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = each.value.tokens_per_hour_max
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "tokens"
    expression  = "input + output"
    label       = "Tokens per hour"
    return_data = true
  }

  metric_query {
    id = "input"

    metric {
      namespace   = local.bedrock_ns
      metric_name = "InputTokenCount"
      dimensions  = { ModelId = each.value.model_id }
      stat        = "Sum"
      period      = 3600
    }
  }

  metric_query {
    id = "output"

    metric {
      namespace   = local.bedrock_ns
      metric_name = "OutputTokenCount"
      dimensions  = { ModelId = each.value.model_id }
      stat        = "Sum"
      period      = 3600
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# EKS GPU nodes (Container Insights)
# ---------------------------------------------------------------------------------------------
resource "aws_cloudwatch_metric_alarm" "eks_gpu_idle" {
  for_each = var.eks_gpu_clusters

  alarm_name          = "${var.name}-eks-${each.key}-gpu-idle"
  alarm_description   = "GPU idle, money burning: cluster ${each.value.cluster_name} has GPU nodes whose average node_gpu_utilization stayed below ${each.value.gpu_idle_percent} % for ${each.value.gpu_idle_minutes} minutes. Check Karpenter consolidation and workloads holding GPU nodes."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = each.value.gpu_idle_minutes / 5
  datapoints_to_alarm = each.value.gpu_idle_minutes / 5
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "idle"
    expression  = "IF(gpus > 0 AND util < ${each.value.gpu_idle_percent}, 1, 0)"
    label       = "GPU nodes idle"
    return_data = true
  }

  metric_query {
    id = "util"

    metric {
      namespace   = "ContainerInsights"
      metric_name = "node_gpu_utilization"
      dimensions  = { ClusterName = each.value.cluster_name }
      stat        = "Average"
      period      = 300
    }
  }

  metric_query {
    id = "gpus"

    metric {
      namespace   = "ContainerInsights"
      metric_name = "node_gpu_limit"
      dimensions  = { ClusterName = each.value.cluster_name }
      stat        = "Sum"
      period      = 300
    }
  }

  tags = merge(var.tags, { "idlc:alarm" = "gpu-idle" })
}

# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------
locals {
  sagemaker_widgets = flatten([
    for k, e in var.sagemaker_endpoints : [
      {
        type = "metric", width = 8, height = 6
        properties = {
          title  = "${e.endpoint_name}: invocations and errors"
          region = local.region
          stat   = "Sum"
          period = 300
          metrics = [
            [local.sm_invocation_ns, "Invocations", "EndpointName", e.endpoint_name, "VariantName", e.variant_name],
            [local.sm_invocation_ns, "Invocation4XXErrors", "EndpointName", e.endpoint_name, "VariantName", e.variant_name],
            [local.sm_invocation_ns, "Invocation5XXErrors", "EndpointName", e.endpoint_name, "VariantName", e.variant_name],
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title  = "${e.endpoint_name}: ModelLatency p50/p90 (µs)"
          region = local.region
          period = 300
          metrics = [
            [local.sm_invocation_ns, "ModelLatency", "EndpointName", e.endpoint_name, "VariantName", e.variant_name, { stat = "p50" }],
            [local.sm_invocation_ns, "ModelLatency", "EndpointName", e.endpoint_name, "VariantName", e.variant_name, { stat = "p90" }],
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title  = "${e.endpoint_name}: GPU and memory utilization (%)"
          region = local.region
          stat   = "Average"
          period = 300
          metrics = [
            [local.sm_instance_ns, "GPUUtilization", "EndpointName", e.endpoint_name, "VariantName", e.variant_name],
            [local.sm_instance_ns, "GPUMemoryUtilization", "EndpointName", e.endpoint_name, "VariantName", e.variant_name],
            [local.sm_instance_ns, "CPUUtilization", "EndpointName", e.endpoint_name, "VariantName", e.variant_name],
          ]
        }
      },
    ]
  ])

  bedrock_widgets = flatten([
    for k, m in var.bedrock_models : [
      {
        type = "metric", width = 8, height = 6
        properties = {
          title  = "${k}: invocations, throttles, errors"
          region = local.region
          stat   = "Sum"
          period = 300
          metrics = [
            [local.bedrock_ns, "Invocations", "ModelId", m.model_id],
            [local.bedrock_ns, "InvocationThrottles", "ModelId", m.model_id],
            [local.bedrock_ns, "InvocationServerErrors", "ModelId", m.model_id],
            [local.bedrock_ns, "InvocationClientErrors", "ModelId", m.model_id],
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title  = "${k}: InvocationLatency p50/p90 (ms)"
          region = local.region
          period = 300
          metrics = [
            [local.bedrock_ns, "InvocationLatency", "ModelId", m.model_id, { stat = "p50" }],
            [local.bedrock_ns, "InvocationLatency", "ModelId", m.model_id, { stat = "p90" }],
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title  = "${k}: tokens per hour"
          region = local.region
          stat   = "Sum"
          period = 3600
          metrics = [
            [local.bedrock_ns, "InputTokenCount", "ModelId", m.model_id],
            [local.bedrock_ns, "OutputTokenCount", "ModelId", m.model_id],
          ]
        }
      },
    ]
  ])

  eks_widgets = [
    for k, c in var.eks_gpu_clusters : {
      type = "metric", width = 12, height = 6
      properties = {
        title  = "${c.cluster_name}: GPU nodes"
        region = local.region
        period = 300
        metrics = [
          ["ContainerInsights", "node_gpu_utilization", "ClusterName", c.cluster_name, { stat = "Average" }],
          ["ContainerInsights", "node_gpu_limit", "ClusterName", c.cluster_name, { stat = "Sum", yAxis = "right" }],
        ]
      }
    }
  ]

  widgets = concat(local.sagemaker_widgets, local.bedrock_widgets, local.eks_widgets)
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard && length(local.widgets) > 0 ? 1 : 0

  dashboard_name = "${var.name}-llm"
  dashboard_body = jsonencode({ widgets = local.widgets })
}
