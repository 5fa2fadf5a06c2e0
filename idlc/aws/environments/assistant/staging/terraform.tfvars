monthly_budget_usd  = 5000
service_budgets_usd = { "Amazon SageMaker" = 2500, "Amazon Bedrock" = 1500 }
budget_alert_emails = ["assistant-leads@example.com"]
alarm_subscriptions = [
  { protocol = "email", endpoint = "assistant-oncall@example.com" },
]
invocation_log_retention_days = 30

inference_profiles = {
  chat      = { model_source_arn = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", description = "Customer chat" }
  summarize = { model_source_arn = "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0", description = "Ticket summaries" }
}
denied_topics = [{
  name       = "investment-advice"
  definition = "Recommendations about buying or selling financial products or securities."
  examples   = ["Which stocks should I buy?"]
}]
tokens_per_hour_max = 6000000

image_pull_principal_arns = ["arn:aws:iam::300000000003:root"]

llm = {
  image_tag       = "2025.06.1"
  model_artifact  = "llama-3-8b-instruct/model.tar.gz"
  instance_type   = "ml.g5.2xlarge"
  min_instances   = 1
  max_instances   = 2
  volume_size_gb  = 100
  latency_p90_ms  = 6000
  hourly_cost_usd = 1.52
}
