output "alarm_arns" {
  description = "ARNs of every alarm, by kind and key."
  value = {
    sagemaker_5xx             = { for k, a in aws_cloudwatch_metric_alarm.sagemaker_5xx : k => a.arn }
    sagemaker_latency         = { for k, a in aws_cloudwatch_metric_alarm.sagemaker_latency : k => a.arn }
    sagemaker_gpu_idle        = { for k, a in aws_cloudwatch_metric_alarm.sagemaker_gpu_idle : k => a.arn }
    sagemaker_async_queue_age = { for k, a in aws_cloudwatch_metric_alarm.sagemaker_async_queue_age : k => a.arn }
    bedrock_throttles         = { for k, a in aws_cloudwatch_metric_alarm.bedrock_throttles : k => a.arn }
    bedrock_server_errors     = { for k, a in aws_cloudwatch_metric_alarm.bedrock_server_errors : k => a.arn }
    bedrock_latency           = { for k, a in aws_cloudwatch_metric_alarm.bedrock_latency : k => a.arn }
    bedrock_token_budget      = { for k, a in aws_cloudwatch_metric_alarm.bedrock_token_budget : k => a.arn }
    eks_gpu_idle              = { for k, a in aws_cloudwatch_metric_alarm.eks_gpu_idle : k => a.arn }
  }
}

output "rollback_alarm_names" {
  description = "5XX and latency alarm names per SageMaker endpoint key, for sagemaker-endpoint rollback_alarm_names (blue/green rollback). To avoid a dependency cycle, give both modules the endpoint name from the same local, not from the endpoint module output."
  value = {
    for k, _ in var.sagemaker_endpoints : k => [
      aws_cloudwatch_metric_alarm.sagemaker_5xx[k].alarm_name,
      aws_cloudwatch_metric_alarm.sagemaker_latency[k].alarm_name,
    ]
  }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null when not created)."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}
