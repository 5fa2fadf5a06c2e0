output "endpoint_name" {
  description = "Name of the endpoint (EndpointName dimension of its CloudWatch metrics)."
  value       = aws_sagemaker_endpoint.this.name
}

output "endpoint_arn" {
  description = "ARN of the endpoint (resource of sagemaker:InvokeEndpoint / InvokeEndpointAsync statements)."
  value       = aws_sagemaker_endpoint.this.arn
}

output "variant_name" {
  description = "Name of the production variant (VariantName dimension of its CloudWatch metrics)."
  value       = local.variant_name
}

output "endpoint_config_name" {
  description = "Name of the endpoint configuration currently deployed."
  value       = aws_sagemaker_endpoint_configuration.this.name
}

output "model_name" {
  description = "Name of the SageMaker model."
  value       = aws_sagemaker_model.this.name
}

output "mode" {
  description = "Inference mode of the endpoint (real-time, serverless or async)."
  value       = var.mode
}

output "instance_type" {
  description = "Instance type (null in serverless mode): the monitoring module uses it to price idle GPU time."
  value       = local.serverless ? null : var.instance.type
}

output "async_topic_arns" {
  description = "SNS topics notified on async success and error (null outside async mode)."
  value       = local.async ? { success = local.success_topic_arn, error = local.error_topic_arn } : null
}

output "async_execution_role_statements" {
  description = "Statements the execution role needs for async mode (write results and failures, publish notifications), in the policy_statements shape of the iam-workload-role module. Empty outside async mode."
  value = local.async ? [
    {
      sid       = "WriteAsyncResults"
      effect    = "Allow"
      actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
      resources = [for u in compact([var.async.output_s3_uri, var.async.failure_s3_uri]) : "arn:aws:s3:::${trimsuffix(trimprefix(u, "s3://"), "/")}/*"]
    },
    {
      sid       = "PublishAsyncNotifications"
      effect    = "Allow"
      actions   = ["sns:Publish"]
      resources = compact([local.success_topic_arn, local.error_topic_arn])
    },
  ] : []
}
