cidr_block              = "10.21.0.0/16"
nat_gateway_mode        = "single"
flow_log_retention_days = 90
monthly_budget_usd      = 3000
budget_alert_emails     = ["platform-leads@example.com"]
alarm_subscriptions = [
  { protocol = "email", endpoint = "platform-alerts@example.com" },
]
