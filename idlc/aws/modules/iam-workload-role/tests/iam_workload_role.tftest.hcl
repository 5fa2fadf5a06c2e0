mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "200000000001" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name          = "search-dev-retriever"
  workload_type = "eks-pod-identity"
  policy_statements = [{
    actions   = ["bedrock:Retrieve", "bedrock:RetrieveAndGenerate"]
    resources = ["arn:aws:bedrock:eu-west-1:200000000001:knowledge-base/ABCDEFGHIJ"]
  }]
}

run "pod_identity_trust" {
  command = apply

  assert {
    condition     = toset(data.aws_iam_policy_document.trust.statement[0].actions) == toset(["sts:AssumeRole", "sts:TagSession"])
    error_message = "EKS Pod Identity needs sts:AssumeRole and sts:TagSession."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.trust.statement[0].condition).variable == "aws:SourceAccount"
    error_message = "Service trust must be confined to this account (aws:SourceAccount)."
  }

  assert {
    condition     = length(aws_iam_role_policy.inline) == 1
    error_message = "The inline policy must be created from policy_statements."
  }
}

run "ec2_trust_has_no_source_account" {
  command = apply

  variables {
    workload_type = "ec2"
  }

  assert {
    condition     = length(data.aws_iam_policy_document.trust.statement[0].condition) == 0
    error_message = "EC2 does not send aws:SourceAccount; the condition would break instance roles."
  }
}

run "rejects_star_star" {
  command = plan

  variables {
    policy_statements = [{ actions = ["*:*"], resources = ["*"] }]
  }

  expect_failures = [var.policy_statements]
}

run "rejects_service_wildcard_on_everything" {
  command = plan

  variables {
    policy_statements = [{ actions = ["s3:*"], resources = ["*"] }]
  }

  expect_failures = [var.policy_statements]
}

run "rejects_administrator_access" {
  command = plan

  variables {
    managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
  }

  expect_failures = [var.managed_policy_arns]
}

run "rejects_unknown_workload_type" {
  command = plan

  variables {
    workload_type = "lambda"
  }

  expect_failures = [var.workload_type]
}
