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
      team          = "search"
      env           = "dev"
      "cost-center" = "cc-2100"
      "managed-by"  = "idlc"
    }
  }
}

# RAG over the product documentation: upload to the corpus bucket under docs/, start an
# ingestion job on the data source, query with bedrock-agent-runtime Retrieve.
module "docs" {
  source = "../.."

  permissions_boundary_arn = local.permissions_boundary_arn

  name            = "search-dev-docs"
  team            = "search"
  corpus_prefixes = ["docs/"]
}
