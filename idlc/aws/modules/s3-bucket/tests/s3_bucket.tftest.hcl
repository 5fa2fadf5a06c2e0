mock_provider "aws" {
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::search-dev-corpus-123456789012" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name        = "search-dev-corpus-123456789012"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "secure_defaults" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public access block settings must be on."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "Versioning must be enabled by default."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Default encryption must be SSE-KMS."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)."
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "force_destroy must default to false."
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0
    error_message = "Access logging is opt-in."
  }
}

run "tls_only_policy_statements" {
  command = apply

  assert {
    condition     = contains([for s in data.aws_iam_policy_document.tls_only.statement : s.sid], "DenyInsecureTransport")
    error_message = "The bucket policy must deny requests without TLS."
  }
}

run "lifecycle_rules_are_added" {
  command = plan

  variables {
    lifecycle_rules = [{ id = "raw", prefix = "raw/", expiration_days = 30 }]
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this.rule) == 2
    error_message = "The module's default rule plus one caller rule are expected."
  }
}

run "rejects_invalid_bucket_name" {
  command = plan

  variables {
    name = "Search_Dev"
  }

  expect_failures = [var.name]
}

run "rejects_reserved_lifecycle_id" {
  command = plan

  variables {
    lifecycle_rules = [{ id = "idlc-default", expiration_days = 1 }]
  }

  expect_failures = [var.lifecycle_rules]
}
