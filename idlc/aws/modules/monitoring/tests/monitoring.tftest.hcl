mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }
}

variables {
  name             = "assistant-dev"
  alarm_topic_arns = ["arn:aws:sns:eu-west-1:300000000001:assistant-dev-alarms"]
  sagemaker_endpoints = {
    llm = { endpoint_name = "assistant-dev-llm", gpu_hourly_cost_usd = 1.52 }
  }
  bedrock_models = {
    chat = { model_id = "anthropic.claude-3-haiku-20240307-v1:0", tokens_per_hour_max = 2000000 }
  }
  eks_gpu_clusters = {
    shared = { cluster_name = "platform-dev" }
  }
}

run "sagemaker_metrics_and_dimensions" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.sagemaker_5xx["llm"].namespace == "AWS/SageMaker" &&
      aws_cloudwatch_metric_alarm.sagemaker_5xx["llm"].metric_name == "Invocation5XXErrors" &&
      aws_cloudwatch_metric_alarm.sagemaker_5xx["llm"].dimensions == tomap({ EndpointName = "assistant-dev-llm", VariantName = "primary" })
    )
    error_message = "5XX alarm: AWS/SageMaker Invocation5XXErrors with EndpointName + VariantName."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.sagemaker_latency["llm"].metric_name == "ModelLatency" &&
      aws_cloudwatch_metric_alarm.sagemaker_latency["llm"].extended_statistic == "p90" &&
      aws_cloudwatch_metric_alarm.sagemaker_latency["llm"].threshold == 5000000
    )
    error_message = "Latency alarm: p90 ModelLatency, threshold converted from ms to microseconds."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.sagemaker_gpu_idle["llm"].namespace == "/aws/sagemaker/Endpoints" &&
      aws_cloudwatch_metric_alarm.sagemaker_gpu_idle["llm"].metric_name == "GPUUtilization" &&
      aws_cloudwatch_metric_alarm.sagemaker_gpu_idle["llm"].dimensions == tomap({ EndpointName = "assistant-dev-llm", VariantName = "primary" }) &&
      aws_cloudwatch_metric_alarm.sagemaker_gpu_idle["llm"].comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.sagemaker_gpu_idle["llm"].evaluation_periods == 12
    )
    error_message = "GPU idle alarm: /aws/sagemaker/Endpoints GPUUtilization below the threshold for an hour (12 x 5 min)."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_metric_alarm.sagemaker_gpu_idle["llm"].alarm_description, "money burning") && strcontains(aws_cloudwatch_metric_alarm.sagemaker_gpu_idle["llm"].alarm_description, "1.52 USD")
    error_message = "The GPU idle alarm must say what it costs."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.sagemaker_async_queue_age) == 0
    error_message = "The queue age alarm is for async endpoints only."
  }
}

run "bedrock_metrics_and_dimensions" {
  command = plan

  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.bedrock_throttles["chat"].namespace == "AWS/Bedrock",
      aws_cloudwatch_metric_alarm.bedrock_throttles["chat"].metric_name == "InvocationThrottles",
      aws_cloudwatch_metric_alarm.bedrock_server_errors["chat"].metric_name == "InvocationServerErrors",
      aws_cloudwatch_metric_alarm.bedrock_latency["chat"].metric_name == "InvocationLatency",
      aws_cloudwatch_metric_alarm.bedrock_latency["chat"].threshold == 20000,
      aws_cloudwatch_metric_alarm.bedrock_throttles["chat"].dimensions == tomap({ ModelId = "anthropic.claude-3-haiku-20240307-v1:0" }),
    ])
    error_message = "Bedrock alarms: AWS/Bedrock InvocationThrottles / InvocationServerErrors / InvocationLatency (ms) by ModelId."
  }

  assert {
    condition = toset([
      for q in aws_cloudwatch_metric_alarm.bedrock_token_budget["chat"].metric_query : q.metric[0].metric_name if length(q.metric) > 0
    ]) == toset(["InputTokenCount", "OutputTokenCount"])
    error_message = "The token budget alarm must add InputTokenCount and OutputTokenCount."
  }
}

run "eks_gpu_idle_uses_container_insights" {
  command = plan

  assert {
    condition = toset([
      for q in aws_cloudwatch_metric_alarm.eks_gpu_idle["shared"].metric_query : q.metric[0].metric_name if length(q.metric) > 0
    ]) == toset(["node_gpu_utilization", "node_gpu_limit"])
    error_message = "The EKS GPU idle alarm must combine node_gpu_utilization and node_gpu_limit."
  }
}

run "every_alarm_pages_the_topic" {
  command = plan

  assert {
    condition     = alltrue([for a in values(aws_cloudwatch_metric_alarm.sagemaker_gpu_idle) : toset(a.alarm_actions) == toset(["arn:aws:sns:eu-west-1:300000000001:assistant-dev-alarms"])])
    error_message = "Alarms must notify the alarm topic."
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 1
    error_message = "A dashboard is created by default."
  }
}

run "async_endpoints_get_a_queue_age_alarm" {
  command = plan

  variables {
    sagemaker_endpoints = {
      batch = { endpoint_name = "assistant-dev-summarizer", async = true }
    }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.sagemaker_async_queue_age["batch"].metric_name == "ApproximateAgeOfOldestRequest" && aws_cloudwatch_metric_alarm.sagemaker_async_queue_age["batch"].dimensions == tomap({ EndpointName = "assistant-dev-summarizer" })
    error_message = "Async endpoints are watched on ApproximateAgeOfOldestRequest by EndpointName."
  }
}

run "rejects_alarms_without_receivers" {
  command = plan

  variables {
    alarm_topic_arns = []
  }

  expect_failures = [var.alarm_topic_arns]
}

run "rejects_odd_idle_window" {
  command = plan

  variables {
    sagemaker_endpoints = { llm = { endpoint_name = "assistant-dev-llm", gpu_idle_minutes = 7 } }
  }

  expect_failures = [var.sagemaker_endpoints]
}
