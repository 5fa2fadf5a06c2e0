provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team          = "search"
      env           = "dev"
      "cost-center" = "cc-2100"
      "managed-by"  = "idlc"
    }
  }
}

data "aws_caller_identity" "current" {}

module "execution_role" {
  source = "../../../iam-workload-role"

  name          = "search-dev-reranker-execution"
  workload_type = "sagemaker"
  policy_statements = [{
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::search-dev-models-${data.aws_caller_identity.current.account_id}/reranker/*"]
  }]
}

# A small CPU re-ranker on serverless inference: pay per request, zero when idle.
module "reranker" {
  source = "../.."

  name = "search-dev-reranker"
  mode = "serverless"

  model = {
    image              = "763104351884.dkr.ecr.${var.region}.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04"
    execution_role_arn = module.execution_role.role_arn
    model_data_url     = "s3://search-dev-models-${data.aws_caller_identity.current.account_id}/reranker/model.tar.gz"
  }

  serverless = { memory_size_in_mb = 4096, max_concurrency = 20 }
}
