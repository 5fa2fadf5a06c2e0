mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name = "search-dev-corpus"
  tags = { app = "rag" }
}

run "rotation_and_long_deletion_window_by_default" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "Key rotation must always be enabled."
  }

  assert {
    condition     = aws_kms_key.this.deletion_window_in_days == 30
    error_message = "The default deletion window must be the maximum (30 days)."
  }

  assert {
    condition     = aws_kms_alias.this.name == "alias/search-dev-corpus"
    error_message = "The alias must be alias/<name>."
  }

  assert {
    condition     = aws_kms_key.this.tags["app"] == "rag" && aws_kms_key.this.tags["Name"] == "search-dev-corpus"
    error_message = "Caller tags must be merged with the Name tag."
  }
}

run "rejects_aws_reserved_alias" {
  command = plan

  variables {
    name = "aws/s3"
  }

  expect_failures = [var.name]
}

run "rejects_short_deletion_window" {
  command = plan

  variables {
    deletion_window_in_days = 3
  }

  expect_failures = [var.deletion_window_in_days]
}

run "rejects_non_iam_principals" {
  command = plan

  variables {
    user_arns = ["*"]
  }

  expect_failures = [var.user_arns]
}
