data "aws_caller_identity" "current" {}

# The permissions boundary the platform manages in every team account; the team's apply role
# may create or change <team>-* roles only with it.
locals {
  permissions_boundary_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:policy/idlc-workload-boundary"
}

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

  permissions_boundary_arn = local.permissions_boundary_arn

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
