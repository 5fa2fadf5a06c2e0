monthly_budget_usd  = 2500
service_budgets_usd = { "Amazon Bedrock" = 1000 }
budget_alert_emails = ["search-leads@example.com"]
alarm_subscriptions = [
  { protocol = "email", endpoint = "search-oncall@example.com" },
]
invocation_log_retention_days = 30

answer_model_arn    = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
tokens_per_hour_max = 5000000

# The next environment pulls the images promoted from this one.
image_pull_principal_arns = ["arn:aws:iam::200000000003:root"]
