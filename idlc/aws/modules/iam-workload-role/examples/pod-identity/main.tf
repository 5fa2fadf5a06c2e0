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

# The role of the retriever pods: query one knowledge base, invoke one embedding model.
module "retriever_role" {
  source = "../.."

  name          = "search-dev-retriever"
  workload_type = "eks-pod-identity"
  description   = "Retriever API pods of the search team"

  policy_statements = [
    {
      sid       = "QueryKnowledgeBase"
      actions   = ["bedrock:Retrieve"]
      resources = ["arn:aws:bedrock:${var.region}:${data.aws_caller_identity.current.account_id}:knowledge-base/*"]
    },
    {
      sid       = "Embed"
      actions   = ["bedrock:InvokeModel"]
      resources = ["arn:aws:bedrock:${var.region}::foundation-model/amazon.titan-embed-text-v2:0"]
    },
  ]
}
