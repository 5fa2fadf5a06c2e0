monthly_budget_usd  = 15000
service_budgets_usd = { "Amazon SageMaker" = 9000, "Amazon Bedrock" = 4000 }
budget_alert_emails = ["assistant-leads@example.com"]
alarm_subscriptions = [
  { protocol = "https", endpoint = "https://events.pagerduty.com/integration/ASSISTANT_PROD_KEY/enqueue" },
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
tokens_per_hour_max = 30000000

image_pull_principal_arns = []

llm = {
  image_tag                       = "2025.06.1"
  model_artifact                  = "llama-3-8b-instruct/model.tar.gz"
  instance_type                   = "ml.g5.2xlarge"
  min_instances                   = 2
  max_instances                   = 4
  volume_size_gb                  = 100
  target_invocations_per_instance = 20
  latency_p90_ms                  = 5000
  hourly_cost_usd                 = 1.52
}
