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

# A customer managed key for a team's RAG corpus, usable by CloudWatch Logs in this region.
module "kms" {
  source = "../.."

  name               = "search-dev-corpus"
  description        = "Encrypts the search team's RAG corpus and logs"
  service_principals = ["logs.${var.region}.amazonaws.com"]
  user_arns          = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/search-dev-indexer"]
}
