# State before the change: two queues that exist already.
provider "aws" {
  alias                       = "no_default_tags"
  region                      = "eu-central-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    sqs = var.moto_endpoint
    sts = var.moto_endpoint
  }
}

resource "aws_sqs_queue" "untagged" {
  provider = aws.no_default_tags
  name     = "search-untagged"
  tags     = { Name = "search-untagged", team = "search" }
}

resource "aws_sqs_queue" "legacy" {
  name = "search-legacy"
  tags = { team = "other" }
}
