output "endpoint_name" {
  description = "Name of the example endpoint."
  value       = module.summarizer.endpoint_name
}

output "notification_topics" {
  description = "Topics notified when a request finishes or fails."
  value       = module.summarizer.async_topic_arns
}
