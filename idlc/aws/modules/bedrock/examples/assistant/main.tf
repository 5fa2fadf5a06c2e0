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

data "aws_caller_identity" "current" {}

# The customer assistant: a guardrail and one application inference profile per use case,
# each on an EU cross-region (system-defined) inference profile.
module "bedrock" {
  source = "../.."

  name = "assistant-dev"
  team = "assistant"

  inference_profiles = {
    chat      = { model_source_arn = "arn:aws:bedrock:${var.region}:${data.aws_caller_identity.current.account_id}:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0" }
    summarize = { model_source_arn = "arn:aws:bedrock:${var.region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0" }
  }

  guardrail = {
    denied_topics = [{
      name       = "investment-advice"
      definition = "Recommendations about buying or selling financial products or securities."
      examples   = ["Which stocks should I buy?"]
    }]
  }
}
