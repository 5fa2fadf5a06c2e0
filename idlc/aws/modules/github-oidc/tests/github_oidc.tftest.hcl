mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "200000000001" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::200000000001:oidc-provider/token.actions.githubusercontent.com" }
  }
}

variables {
  repository        = "acme/idlc"
  team              = "search"
  environments      = ["dev"]
  state_bucket_arn  = "arn:aws:s3:::idlc-tfstate-search-200000000001"
  state_kms_key_arn = "arn:aws:kms:eu-west-1:200000000001:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "roles_follow_registry_naming" {
  command = plan

  assert {
    condition     = aws_iam_role.plan["dev"].name == "idlc-search-dev-plan" && aws_iam_role.apply["dev"].name == "idlc-search-dev-apply"
    error_message = "Role names must match naming.aws in idlc.yaml (idlc-<team>-<env>-plan|apply)."
  }
}

run "plan_trust_is_pull_request_only" {
  command = apply

  assert {
    condition = alltrue([
      for c in data.aws_iam_policy_document.plan_trust.statement[0].condition :
      c.test == "StringEquals"
    ])
    error_message = "Trust conditions must use StringEquals (never ForAllValues or StringLike)."
  }

  assert {
    condition = anytrue([
      for c in data.aws_iam_policy_document.plan_trust.statement[0].condition :
      c.variable == "token.actions.githubusercontent.com:sub" && toset(c.values) == toset(["repo:acme/idlc:pull_request"])
    ])
    error_message = "The plan role must trust exactly repo:ORG/REPO:pull_request."
  }

  assert {
    condition = anytrue([
      for c in data.aws_iam_policy_document.plan_trust.statement[0].condition :
      c.variable == "token.actions.githubusercontent.com:aud" && toset(c.values) == toset(["sts.amazonaws.com"])
    ])
    error_message = "The audience must be pinned to sts.amazonaws.com."
  }
}

run "apply_trust_is_the_github_environment_only" {
  command = apply

  assert {
    condition = anytrue([
      for c in data.aws_iam_policy_document.apply_trust["dev"].statement[0].condition :
      c.test == "StringEquals" && c.variable == "token.actions.githubusercontent.com:sub" && toset(c.values) == toset(["repo:acme/idlc:environment:search-dev"])
    ])
    error_message = "The apply role must trust exactly repo:ORG/REPO:environment:<team>-<env>."
  }

  assert {
    condition     = output.github_environments == ["search-dev"]
    error_message = "The GitHub environment to create must be reported."
  }
}

run "plan_role_writes_only_lockfile_and_plans" {
  command = apply

  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.plan_state["dev"].statement : tolist(s.resources)
      if length(setintersection(toset(s.actions), toset(["s3:PutObject", "s3:DeleteObject"]))) > 0
      ])) == toset([
      "arn:aws:s3:::idlc-tfstate-search-200000000001/dev/*.tflock",
      "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*/bundle.tar",
    ])
    error_message = "The plan role may write only lock files and plan bundles (never the applied.json markers)."
  }
}

run "only_the_apply_role_records_applies" {
  command = apply

  assert {
    condition     = one([for st in data.aws_iam_policy_document.apply_state["dev"].statement : st if st.sid == "RecordApply"]).resources == toset(["arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*/applied.json"])
    error_message = "The apply role writes the applied.json marker that refuses a second apply of a bundle."
  }
}

run "boundary_is_required_for_role_creation" {
  command = apply

  variables {
    permissions_boundary_arn = "arn:aws:iam::200000000001:policy/idlc-boundary"
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.apply_iam.statement :
      contains(s.actions, "iam:CreateRole") && anytrue([for c in s.condition : c.test == "StringEquals" && c.variable == "iam:PermissionsBoundary"])
    ])
    error_message = "With a boundary, CreateRole must require it with StringEquals."
  }
}

run "rejects_wildcard_repository" {
  command = plan

  variables {
    repository = "acme/*"
  }

  expect_failures = [var.repository]
}

run "rejects_subjects_of_other_repositories" {
  command = plan

  variables {
    plan_extra_subjects = ["repo:evil/idlc:ref:refs/heads/main"]
  }

  expect_failures = [var.plan_extra_subjects]
}

run "rejects_administrator_access" {
  command = plan

  variables {
    apply_managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
  }

  expect_failures = [var.apply_managed_policy_arns]
}
