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
  team                  = "search"
  break_glass_role_arns = ["arn:aws:iam::200000000001:role/platform-break-glass"]
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
    condition = one([for s in jsondecode(local.bucket_policy).Statement : s if s.Sid == "DenyStateDeletion"]) == {
      Sid       = "DenyStateDeletion"
      Effect    = "Deny"
      Principal = "*"
      Action    = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
      Resource  = "arn:aws:s3:::idlc-tfstate-search-200000000001/*.tfstate"
    }
    error_message = "Deleting *.tfstate objects must be denied by default."
  }
}

run "plans_are_write_once_for_everyone_but_break_glass" {
  command = apply

  assert {
    condition = one([for s in jsondecode(local.bucket_policy).Statement : s if s.Sid == "DenyPlanOverwrites"]) == {
      Sid       = "DenyPlanOverwrites"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*"
      Condition = {
        Null         = { "s3:if-none-match" = "true" }
        ArnNotEquals = { "aws:PrincipalArn" = ["arn:aws:iam::200000000001:role/platform-break-glass"] }
      }
    }
    error_message = "A PutObject under plans/ without If-None-Match must be denied to every principal but break-glass (bundles and markers are write-once)."
  }

  assert {
    condition = one([for s in jsondecode(local.bucket_policy).Statement : s if s.Sid == "DenyPlanDeletes"]) == {
      Sid       = "DenyPlanDeletes"
      Effect    = "Deny"
      Principal = "*"
      Action    = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
      Resource  = "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*"
      Condition = { ArnNotEquals = { "aws:PrincipalArn" = ["arn:aws:iam::200000000001:role/platform-break-glass"] } }
    }
    error_message = "Deleting bundles, claims or results must be denied to every principal but break-glass."
  }

  assert {
    condition = one([for s in jsondecode(local.bucket_policy).Statement : s if s.Sid == "DenyBucketSettingChanges"]) == {
      Sid       = "DenyBucketSettingChanges"
      Effect    = "Deny"
      Principal = "*"
      Action = [
        "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
      ]
      Resource  = "arn:aws:s3:::idlc-tfstate-search-200000000001"
      Condition = { ArnNotEquals = { "aws:PrincipalArn" = ["arn:aws:iam::200000000001:role/platform-break-glass"] } }
    }
    error_message = "Bucket policy, versioning, lifecycle and encryption changes must be denied to every principal but break-glass."
  }

  assert {
    condition     = length(jsondecode(local.bucket_policy).Statement) == 4
    error_message = "No other statement (in particular no Allow) belongs in the module's part of the bucket policy."
  }
}

run "write_once_stays_when_state_deletion_is_allowed" {
  command = apply

  variables {
    protect_state_objects = false
  }

  assert {
    condition     = [for s in jsondecode(local.bucket_policy).Statement : s.Sid] == ["DenyPlanOverwrites", "DenyPlanDeletes", "DenyBucketSettingChanges"]
    error_message = "protect_state_objects only drops the *.tfstate delete deny."
  }
}

run "rejects_missing_or_wildcard_break_glass" {
  command = plan

  variables {
    break_glass_role_arns = []
  }

  expect_failures = [var.break_glass_role_arns]
}

run "rejects_ci_roles_as_break_glass" {
  command = plan

  variables {
    break_glass_role_arns = ["arn:aws:iam::200000000001:role/idlc-search-dev-apply", "arn:aws:iam::200000000001:role/*"]
  }

  expect_failures = [var.break_glass_role_arns]
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
