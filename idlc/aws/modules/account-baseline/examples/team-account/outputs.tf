output "alarm_topic_arn" {
  description = "Topic to route alarms to."
  value       = module.baseline.alarm_topic_arn
}
