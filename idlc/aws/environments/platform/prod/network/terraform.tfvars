cidr_block              = "10.22.0.0/16"
nat_gateway_mode        = "per-az"
flow_log_retention_days = 365
monthly_budget_usd      = 8000
budget_alert_emails     = ["platform-leads@example.com"]
alarm_subscriptions = [
  { protocol = "https", endpoint = "https://events.pagerduty.com/integration/PLATFORM_PROD_KEY/enqueue" },
]
