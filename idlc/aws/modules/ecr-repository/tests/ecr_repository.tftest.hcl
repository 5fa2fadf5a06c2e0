mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name = "search/retriever"
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "Tags must be immutable by default."
  }

  assert {
    condition     = one(aws_ecr_repository.this.image_scanning_configuration).scan_on_push
    error_message = "Images must be scanned on push."
  }

  assert {
    condition     = one(aws_ecr_repository.this.encryption_configuration).encryption_type == "KMS"
    error_message = "Images must be encrypted with KMS."
  }

  assert {
    condition     = length(jsondecode(aws_ecr_lifecycle_policy.this.policy).rules) == 2
    error_message = "Untagged and old tagged images must expire."
  }

  assert {
    condition     = length(aws_ecr_repository_policy.this) == 0
    error_message = "No repository policy without cross-account pullers."
  }
}

run "exclusions_switch_mutability_mode" {
  command = plan

  variables {
    mutable_tag_patterns = ["dev-*"]
  }

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE_WITH_EXCLUSION"
    error_message = "Exclusion patterns need IMMUTABLE_WITH_EXCLUSION."
  }
}

run "rejects_public_pull" {
  command = plan

  variables {
    pull_principal_arns = ["*"]
  }

  expect_failures = [var.pull_principal_arns]
}

run "rejects_uppercase_name" {
  command = plan

  variables {
    name = "Search/Retriever"
  }

  expect_failures = [var.name]
}
