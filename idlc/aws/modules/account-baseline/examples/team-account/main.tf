provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team          = "assistant"
      env           = "dev"
      "cost-center" = "cc-2200"
      "managed-by"  = "idlc"
    }
  }
}

module "baseline" {
  source = "../.."

  name               = "assistant-dev"
  monthly_budget_usd = 3000
  service_budgets_usd = {
    "Amazon SageMaker" = 1500
    "Amazon Bedrock"   = 800
  }
  budget_alert_emails = ["assistant-leads@example.com"]
  alarm_subscriptions = [
    { protocol = "email", endpoint = "assistant-oncall@example.com" },
  ]
}
