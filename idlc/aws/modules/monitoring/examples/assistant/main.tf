data "aws_caller_identity" "current" {}

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
  source = "../../../account-baseline"

  name                     = "assistant-dev"
  permissions_boundary_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:policy/idlc-workload-boundary"
  monthly_budget_usd       = 3000
  alarm_subscriptions      = [{ protocol = "email", endpoint = "assistant-oncall@example.com" }]
}

module "monitoring" {
  source = "../.."

  name             = "assistant-dev"
  alarm_topic_arns = [module.baseline.alarm_topic_arn]

  sagemaker_endpoints = {
    llm = {
      endpoint_name       = "assistant-dev-llm"
      latency_p90_ms      = 4000
      gpu_idle_percent    = 5
      gpu_idle_minutes    = 60
      gpu_hourly_cost_usd = 1.52
    }
  }

  bedrock_models = {
    chat = { model_id = "anthropic.claude-3-haiku-20240307-v1:0", tokens_per_hour_max = 5000000 }
  }
}
