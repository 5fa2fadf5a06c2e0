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
  account_id   = data.aws_caller_identity.current.account_id
  model_bucket = "assistant-dev-models-${local.account_id}"
}

module "execution_role" {
  source = "../../../iam-workload-role"

  name          = "assistant-dev-llm-execution"
  workload_type = "sagemaker"
  policy_statements = [
    {
      sid       = "ReadModelArtifacts"
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::${local.model_bucket}/llm/*"]
    },
    {
      sid       = "PullImage"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = ["arn:aws:ecr:${var.region}:${local.account_id}:repository/assistant/vllm-server"]
    },
    {
      sid       = "EcrAuth"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    },
  ]
}

# A GPU real-time endpoint: one ml.g5.2xlarge, up to 3 under load.
module "llm" {
  source = "../.."

  name = "assistant-dev-llm"
  mode = "real-time"

  model = {
    image              = "${local.account_id}.dkr.ecr.${var.region}.amazonaws.com/assistant/vllm-server:1.0.0"
    execution_role_arn = module.execution_role.role_arn
    model_data_url     = "s3://${local.model_bucket}/llm/model.tar.gz"
  }

  instance    = { type = "ml.g5.2xlarge", initial_count = 1, volume_size_gb = 200 }
  autoscaling = { min_capacity = 1, max_capacity = 3, target_invocations_per_instance = 20 }
}
