mock_provider "aws" {
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::idlc-test-bucket" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "200000000001" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  team = "search"
}

run "follows_the_registry_naming_convention" {
  command = plan

  assert {
    condition     = module.bucket.bucket_name == "idlc-tfstate-search-200000000001"
    error_message = "The bucket must be named idlc-tfstate-<team>-<account_id> (state.bucket in idlc.yaml)."
  }

  assert {
    condition     = length(module.kms) == 1
    error_message = "A dedicated KMS key is created when none is given."
  }
}

run "backend_config_is_lockfile_ready" {
  command = apply

  assert {
    condition     = output.backend_config.use_lockfile && output.backend_config.encrypt
    error_message = "The backend settings must use the S3 native lockfile and encryption."
  }

  assert {
    condition     = output.backend_config.kms_key_id == output.kms_key_arn
    error_message = "State must be encrypted with the state key, not SSE-S3."
  }
}

run "state_objects_cannot_be_deleted" {
  command = apply

  assert {
    condition     = one([for s in data.aws_iam_policy_document.state.statement : s if s.sid == "DenyStateDeletion"]).effect == "Deny"
    error_message = "Deleting *.tfstate objects must be denied by default."
  }
}

run "existing_key_is_reused" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:200000000001:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = length(module.kms) == 0
    error_message = "No key must be created when kms_key_arn is given."
  }
}

run "rejects_bad_plans_prefix" {
  command = plan

  variables {
    plans_prefix = "/plans"
  }

  expect_failures = [var.plans_prefix]
}
