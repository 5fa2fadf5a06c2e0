# State before the change (applied to moto): an existing bucket with its public access block,
# and an untouched legacy bucket.
# moto does not return the tags a bucket was created with, so with default_tags a refresh of
# an existing bucket finds tags missing and plans an update. The existing buckets are managed
# through a provider without default_tags, so that refresh finds them exactly as applied.
provider "aws" {
  alias                       = "no_default_tags"
  region                      = "eu-central-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    s3  = var.moto_endpoint
    sts = var.moto_endpoint
  }
}

resource "aws_s3_bucket" "existing" {
  provider = aws.no_default_tags
  bucket   = "acme-search-prod-existing"
}

resource "aws_s3_bucket_public_access_block" "existing" {
  provider                = aws.no_default_tags
  bucket                  = aws_s3_bucket.existing.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket" "legacy" {
  provider = aws.no_default_tags
  bucket   = "acme-search-prod-legacy"
}
