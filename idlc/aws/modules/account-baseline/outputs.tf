output "alarm_topic_arn" {
  description = "SNS topic for alarms and budget alerts (alarm_actions of the monitoring module)."
  value       = aws_sns_topic.alarms.arn
}

output "kms_key_arn" {
  description = "KMS key of the alarm topic and the Bedrock invocation log group."
  value       = local.kms_key_arn
}

output "budget_names" {
  description = "Names of the budgets created (account-wide first, then one per service)."
  value       = concat([aws_budgets_budget.monthly.name], [for b in aws_budgets_budget.service : b.name])
}

output "bedrock_invocation_log_group" {
  description = "CloudWatch log group receiving Bedrock model invocation logs (null when disabled)."
  value       = one(aws_cloudwatch_log_group.bedrock[*].name)
}
