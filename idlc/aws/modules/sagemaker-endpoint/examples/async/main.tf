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

locals {
  account_id = data.aws_caller_identity.current.account_id
}

module "results" {
  source = "../../../s3-bucket"

  name = "assistant-dev-batch-results-${local.account_id}"
  lifecycle_rules = [
    { id = "expire-results", prefix = "", expiration_days = 14 },
  ]
}

module "execution_role" {
  source = "../../../iam-workload-role"

  name          = "assistant-dev-summarizer-execution"
  workload_type = "sagemaker"
  policy_statements = concat(
    [{
      sid       = "ReadModel"
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::assistant-dev-models-${local.account_id}/summarizer/*"]
    }],
    module.summarizer.async_execution_role_statements,
  )
}

# Long document summarization: requests queue, GPU instances scale from zero.
module "summarizer" {
  source = "../.."

  name = "assistant-dev-summarizer"
  mode = "async"

  model = {
    image              = "${local.account_id}.dkr.ecr.${var.region}.amazonaws.com/assistant/vllm-server:1.0.0"
    execution_role_arn = module.execution_role.role_arn
    model_data_url     = "s3://assistant-dev-models-${local.account_id}/summarizer/model.tar.gz"
  }

  instance = { type = "ml.g5.xlarge" }
  async = {
    output_s3_uri  = "s3://${module.results.bucket_name}/output/"
    failure_s3_uri = "s3://${module.results.bucket_name}/failure/"
  }
  autoscaling = { min_capacity = 0, max_capacity = 2, target_backlog_per_instance = 4 }
}
