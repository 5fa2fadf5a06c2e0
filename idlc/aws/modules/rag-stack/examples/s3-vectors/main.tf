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

  name            = "search-dev-docs"
  team            = "search"
  corpus_prefixes = ["docs/"]
}
