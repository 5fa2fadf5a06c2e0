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

module "kms" {
  source = "../../../kms-key"

  name = "search-dev-corpus"
}

# A RAG corpus bucket: raw uploads move to Intelligent-Tiering after 30 days.
module "corpus" {
  source = "../.."

  name        = "search-dev-corpus-${data.aws_caller_identity.current.account_id}"
  kms_key_arn = module.kms.key_arn

  lifecycle_rules = [
    { id = "raw-to-intelligent-tiering", prefix = "raw/", transition_days = 30 },
  ]
}
