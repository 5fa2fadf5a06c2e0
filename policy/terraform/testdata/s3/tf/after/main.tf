# The change the S3 rules are tested on (policy/terraform/s3/s3_test.rego).
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

# pass: compliant, at the root, one module deep and two modules deep
resource "aws_s3_bucket" "documents" {
  bucket = "acme-search-prod-documents"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "documents" {
  bucket                  = aws_s3_bucket.documents.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "documents" {
  bucket = aws_s3_bucket.documents.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::acme-search-prod-documents", "arn:aws:s3:::acme-search-prod-documents/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

module "logs" {
  source = "./bucket"
  bucket = "acme-search-prod-logs"
}

module "platform" {
  source = "./platform"
}

# deny: no encryption, no public access block, no TLS policy
resource "aws_s3_bucket" "bare" {
  bucket = "acme-search-prod-bare"
}

# deny: encryption without an algorithm, a public access block with one setting off, a policy
# without the TLS condition (all by name, not by reference)
resource "aws_s3_bucket" "partial" {
  bucket = "acme-search-prod-partial"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "partial" {
  bucket = "acme-search-prod-partial"
  rule {
    bucket_key_enabled = false
  }
}

resource "aws_s3_bucket_public_access_block" "partial" {
  bucket                  = "acme-search-prod-partial"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = false
}

resource "aws_s3_bucket_policy" "partial" {
  bucket = "acme-search-prod-partial"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::200000000003:root" }, Action = "s3:GetObject", Resource = "*" }]
  })
}

# pass: the TLS policy comes from a policy document read during apply (it needs the ARN)
resource "aws_s3_bucket" "from_document" {
  bucket = "acme-search-prod-doc"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "from_document" {
  bucket = aws_s3_bucket.from_document.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "from_document" {
  bucket                  = aws_s3_bucket.from_document.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "tls" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.from_document.arn, "${aws_s3_bucket.from_document.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "from_document" {
  bucket = aws_s3_bucket.from_document.id
  policy = data.aws_iam_policy_document.tls.json
}

# warn: a policy known only after apply, not from a document, cannot be checked
resource "aws_s3_bucket" "opaque" {
  bucket = "acme-search-prod-opaque"
}

module "policy" {
  source     = "./policy"
  bucket_arn = aws_s3_bucket.opaque.arn
}

resource "aws_s3_bucket_policy" "opaque" {
  bucket = aws_s3_bucket.opaque.id
  policy = module.policy.json
}

# deny: an existing bucket loses its public access block (aws_s3_bucket_public_access_block
# .existing is gone from the configuration, so the plan deletes it)
resource "aws_s3_bucket" "existing" {
  provider = aws.no_default_tags
  bucket   = "acme-search-prod-existing"
}

# pass: untouched
resource "aws_s3_bucket" "legacy" {
  provider = aws.no_default_tags
  bucket   = "acme-search-prod-legacy"
}
