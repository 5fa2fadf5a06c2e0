monthly_budget_usd  = 6000
service_budgets_usd = { "Amazon Bedrock" = 3000 }
budget_alert_emails = ["search-leads@example.com"]
alarm_subscriptions = [
  { protocol = "https", endpoint = "https://events.pagerduty.com/integration/SEARCH_PROD_KEY/enqueue" },
]
invocation_log_retention_days = 30

answer_model_arn    = "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
tokens_per_hour_max = 20000000

# The next environment pulls the images promoted from this one.
image_pull_principal_arns = []
