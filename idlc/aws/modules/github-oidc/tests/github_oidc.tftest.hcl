# The policy documents are rendered by the module itself (jsonencode), so these tests decode
# the exact JSON set on the roles and assert on it: subjects, conditions, Deny statements.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "200000000001" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::200000000001:oidc-provider/token.actions.githubusercontent.com" }
  }
}

variables {
  repository               = "acme/idlc"
  team                     = "search"
  environments             = ["dev"]
  state_bucket_arn         = "arn:aws:s3:::idlc-tfstate-search-200000000001"
  state_kms_key_arn        = "arn:aws:kms:eu-west-1:200000000001:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  permissions_boundary_arn = "arn:aws:iam::200000000001:policy/idlc-boundary"
}

run "roles_follow_registry_naming" {
  command = plan

  assert {
    condition     = aws_iam_role.plan["dev"].name == "idlc-search-dev-plan" && aws_iam_role.apply["dev"].name == "idlc-search-dev-apply"
    error_message = "Role names must match naming.aws in idlc.yaml (idlc-<team>-<env>-plan|apply)."
  }

  assert {
    condition     = aws_iam_role.plan["dev"].permissions_boundary == var.permissions_boundary_arn && aws_iam_role.apply["dev"].permissions_boundary == var.permissions_boundary_arn
    error_message = "Both CI roles carry the permissions boundary."
  }
}

run "plan_trusts_only_the_default_branch_plan_and_drift_workflows" {
  command = apply

  assert {
    condition     = length(jsondecode(aws_iam_role.plan["dev"].assume_role_policy).Statement) == 1
    error_message = "The plan trust policy has exactly one statement."
  }

  assert {
    condition = jsondecode(aws_iam_role.plan["dev"].assume_role_policy).Statement[0] == {
      Sid       = "GitHubDefaultBranchWorkflows"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::200000000001:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"]
          "token.actions.githubusercontent.com:sub" = [
            "repo:acme/idlc:pull_request:job_workflow_ref:acme/idlc/.github/workflows/idlc-plan-run.yml@refs/heads/main",
            "repo:acme/idlc:ref:refs/heads/main:job_workflow_ref:acme/idlc/.github/workflows/idlc-drift.yml@refs/heads/main",
          ]
        }
      }
    }
    error_message = "The plan role must trust exactly the plan-run workflow of pull requests and the drift workflow, both loaded from refs/heads/main, with StringEquals on aud and sub."
  }

  assert {
    condition     = output.plan_subjects["dev"] == jsondecode(aws_iam_role.plan["dev"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]
    error_message = "Output plan_subjects must be the subjects the role trusts."
  }

  assert {
    condition     = output.trust_policies["idlc-search-dev-plan"] == aws_iam_role.plan["dev"].assume_role_policy
    error_message = "Output trust_policies must be the policy set on the role."
  }
}

run "apply_trusts_only_the_apply_workflow_in_the_team_environment" {
  command = apply

  assert {
    condition = jsondecode(aws_iam_role.apply["dev"].assume_role_policy).Statement == [{
      Sid       = "GitHubDefaultBranchWorkflows"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::200000000001:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"]
          "token.actions.githubusercontent.com:sub" = ["repo:acme/idlc:environment:search-dev:job_workflow_ref:acme/idlc/.github/workflows/idlc-apply.yml@refs/heads/main"]
        }
      }
    }]
    error_message = "The apply role must trust exactly repo:R:environment:<team>-<env>:job_workflow_ref:R/.github/workflows/idlc-apply.yml@refs/heads/main."
  }

  assert {
    condition     = output.apply_subjects == { dev = ["repo:acme/idlc:environment:search-dev:job_workflow_ref:acme/idlc/.github/workflows/idlc-apply.yml@refs/heads/main"] }
    error_message = "Output apply_subjects must be the subject the role trusts."
  }

  assert {
    condition     = output.github_environments == ["search-dev"] && output.oidc_sub_claim_keys == ["repo", "context", "job_workflow_ref"]
    error_message = "The GitHub environment to create and the subject claim keys must be reported."
  }
}

run "plan_review_env_trusts_its_plan_environment_instead_of_pull_request" {
  command = apply

  variables {
    environments     = ["dev", "prod"]
    plan_review_envs = ["prod"]
  }

  assert {
    condition = jsondecode(aws_iam_role.plan["prod"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == [
      "repo:acme/idlc:environment:search-prod-plan:job_workflow_ref:acme/idlc/.github/workflows/idlc-plan-run.yml@refs/heads/main",
      "repo:acme/idlc:ref:refs/heads/main:job_workflow_ref:acme/idlc/.github/workflows/idlc-drift.yml@refs/heads/main",
    ]
    error_message = "A plan_review env's plan role trusts the <team>-<env>-plan environment context, never plain pull_request."
  }

  assert {
    condition     = output.plan_subjects["dev"][0] == "repo:acme/idlc:pull_request:job_workflow_ref:acme/idlc/.github/workflows/idlc-plan-run.yml@refs/heads/main"
    error_message = "Other envs keep the pull_request context."
  }

  assert {
    condition     = output.github_environments == ["search-dev", "search-prod", "search-prod-plan"]
    error_message = "The plan review environment must be listed for creation."
  }
}

run "branch_and_workflow_paths_are_inputs" {
  command = apply

  variables {
    default_branch      = "trunk"
    plan_workflow_path  = ".github/workflows/plan.yml"
    apply_workflow_path = ".github/workflows/apply.yml"
    drift_workflow_path = null
    plan_extra_subjects = ["repo:acme/idlc:ref:refs/heads/trunk:job_workflow_ref:acme/workflows/.github/workflows/audit.yml@refs/heads/trunk"]
  }

  assert {
    condition = output.plan_subjects["dev"] == [
      "repo:acme/idlc:pull_request:job_workflow_ref:acme/idlc/.github/workflows/plan.yml@refs/heads/trunk",
      "repo:acme/idlc:ref:refs/heads/trunk:job_workflow_ref:acme/workflows/.github/workflows/audit.yml@refs/heads/trunk",
    ]
    error_message = "Plan subjects follow default_branch and plan_workflow_path; drift_workflow_path = null trusts no drift job."
  }

  assert {
    condition     = output.apply_subjects["dev"] == ["repo:acme/idlc:environment:search-dev:job_workflow_ref:acme/idlc/.github/workflows/apply.yml@refs/heads/trunk"]
    error_message = "The apply subject follows default_branch and apply_workflow_path."
  }
}

run "plan_role_reads_metadata_and_its_own_env_only" {
  command = apply

  assert {
    condition     = [for a in aws_iam_role_policy_attachment.plan : a.policy_arn] == ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]
    error_message = "The plan role gets ViewOnlyAccess (metadata), never ReadOnlyAccess (which reads objects, items and messages)."
  }

  # No Allow grants a data-plane read, a wildcard Get, or a whole service.
  assert {
    condition = length([
      for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : s
      if s.Effect == "Allow" && anytrue([
        for a in flatten([s.Action]) : endswith(a, ":*") || endswith(a, ":Get*") || a == "*" || contains([
          "s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParametersByPath", "kms:Decrypt", "dynamodb:GetItem",
          "dynamodb:Query", "dynamodb:Scan", "sqs:ReceiveMessage", "logs:GetLogEvents", "logs:FilterLogEvents",
        ], a)
      ]) && !contains(["ReadState", "UseStateKey"], s.Sid)
    ]) == 0
    error_message = "The plan role must not be allowed data-plane reads (S3 objects outside its state, secrets, private parameters, items, messages, log events) or wildcard Get*/service:*."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : flatten([s.Resource])
      if s.Effect == "Allow" && length(setintersection(toset(flatten([s.Action])), toset(["s3:PutObject", "s3:DeleteObject"]))) > 0
      ])) == toset([
      "arn:aws:s3:::idlc-tfstate-search-200000000001/dev/*.tflock",
      "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/aws/search/dev/*.tar",
    ])
    error_message = "The plan role may write only its env's lock files and bundles of its own env prefix plans/aws/<team>/<env>/*.tar."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : s if s.Sid == "ReadState"]).Resource == "arn:aws:s3:::idlc-tfstate-search-200000000001/dev/*"
    error_message = "The plan role reads only the state of its env."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : s if s.Sid == "DenyObjectsOutsideOwnEnv"]) == {
      Sid         = "DenyObjectsOutsideOwnEnv"
      Effect      = "Deny"
      Action      = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:RestoreObject"]
      NotResource = ["arn:aws:s3:::idlc-tfstate-search-200000000001/dev/*", "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/aws/search/dev/*"]
    }
    error_message = "Objects outside the env's state and bundle prefix (other envs' state keys, any other bucket) must be explicitly denied."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : s if s.Sid == "DenyApplyMarkers"]) == {
      Sid      = "DenyApplyMarkers"
      Effect   = "Deny"
      Action   = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"]
      Resource = ["arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*.claim.*", "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*.result.*"]
    }
    error_message = "The plan role must be explicitly denied the claim and result markers."
  }

  assert {
    condition = alltrue([for a in ["secretsmanager:GetSecretValue", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "sqs:ReceiveMessage", "logs:GetLogEvents"] :
    contains(one([for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : s if s.Sid == "DenyDataPlaneReads"]).Action, a)])
    error_message = "Data-plane reads are denied even if a broader managed policy is attached."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : s if s.Sid == "DenyDecryptOutsideStateKey"]).NotResource == var.state_kms_key_arn && one([
      for s in jsondecode(aws_iam_role_policy.plan["dev"].policy).Statement : s if s.Sid == "DenyPrivateParameters"
    ]).NotResource == "arn:aws:ssm:*::parameter/aws/service/*"
    error_message = "kms:Decrypt is denied outside the state key and parameters outside the AWS public ones."
  }

  # IAM counts inline policy size without whitespace; jsonencode writes none.
  assert {
    condition     = length(aws_iam_role_policy.plan["dev"].policy) < 10240 && length(aws_iam_role_policy.apply_state["dev"].policy) + length(aws_iam_role_policy.apply_iam["dev"].policy) < 10240
    error_message = "Inline policies of a role must stay below the 10,240 character IAM quota."
  }
}

run "apply_role_cannot_touch_ci_roles_bucket_settings_plans_or_the_state_key" {
  command = apply

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyCiRoles"]) == {
      Sid    = "DenyCiRoles"
      Effect = "Deny"
      Action = ["iam:*"]
      Resource = [
        "arn:aws:iam::200000000001:role/idlc-*",
        "arn:aws:iam::200000000001:policy/idlc-*",
        "arn:aws:iam::200000000001:instance-profile/idlc-*",
        "arn:aws:iam::200000000001:oidc-provider/token.actions.githubusercontent.com",
      ]
    }
    error_message = "iam:* on the idlc-* roles and policies (and the OIDC provider) must be explicitly denied."
  }

  assert {
    condition = alltrue([
      for a in ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration"] :
      contains(one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyStateBucketSettings" && s.Effect == "Deny" && s.Resource == var.state_bucket_arn]).Action, a)
    ])
    error_message = "Changing the state bucket's policy, versioning, lifecycle or encryption must be explicitly denied."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyOverwritingPlans"]) == {
      Sid       = "DenyOverwritingPlans"
      Effect    = "Deny"
      Action    = ["s3:PutObject"]
      Resource  = "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*"
      Condition = { Null = { "s3:if-none-match" = "true" } }
    }
    error_message = "A PutObject under the plans prefix without If-None-Match must be denied (bundles and markers are write-once)."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyDeletingPlans"]) == {
      Sid      = "DenyDeletingPlans"
      Effect   = "Deny"
      Action   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
      Resource = "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/*"
    }
    error_message = "Deleting bundles or markers (e.g. a claim, to apply twice) must be denied."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "CreateApplyMarkers"]) == {
      Sid       = "CreateApplyMarkers"
      Effect    = "Allow"
      Action    = ["s3:PutObject"]
      Resource  = ["arn:aws:s3:::idlc-tfstate-search-200000000001/plans/aws/search/dev/*.claim.*.json", "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/aws/search/dev/*.result.*.json"]
      Condition = { Null = { "s3:if-none-match" = "false" } }
    }
    error_message = "The apply role creates only the claim and result markers of its env, with If-None-Match."
  }

  assert {
    condition = alltrue([
      for a in ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"] :
      contains(one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyStateKeyChanges" && s.Effect == "Deny" && s.Resource == var.state_kms_key_arn]).Action, a)
    ])
    error_message = "Deleting, disabling or re-policing the state key must be explicitly denied."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyOtherEnvs"]) == 0
    error_message = "With one env in the account there is no other env to deny."
  }
}

run "apply_role_iam_is_bounded_and_allow_listed" {
  command = apply

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.apply_iam["dev"].policy).Statement :
      s.Effect == "Allow" && alltrue([for r in flatten([s.Resource]) : can(regex("^arn:aws:iam::200000000001:(role|policy|instance-profile)/search-\\*$", r))])
    ])
    error_message = "The apply role's IAM rights stop at <team>-* roles, policies and instance profiles."
  }

  assert {
    condition = alltrue([
      for a in ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:DetachRolePolicy"] :
      alltrue([for s in jsondecode(aws_iam_role_policy.apply_iam["dev"].policy).Statement :
      try(s.Condition.StringEquals["iam:PermissionsBoundary"], null) == var.permissions_boundary_arn if contains(flatten([s.Action]), a)])
    ])
    error_message = "Every action that can raise a role's permissions must require the boundary (StringEquals iam:PermissionsBoundary)."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.apply_iam["dev"].policy).Statement : s if contains(s.Action, "iam:AttachRolePolicy")]).Condition.ArnLike == {
      "iam:PolicyARN" = [
        "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        "arn:aws:iam::200000000001:policy/search-*",
      ]
    }
    error_message = "AttachRolePolicy/DetachRolePolicy are limited to the allow-list and the team's own policies."
  }

  assert {
    condition = !anytrue([for s in jsondecode(aws_iam_role_policy.apply_iam["dev"].policy).Statement :
    contains(flatten([s.Action]), "iam:DeleteRolePermissionsBoundary")])
    error_message = "Removing a boundary must never be allowed."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyBoundaryChanges"]).Resource == var.permissions_boundary_arn
    error_message = "The boundary policy itself must be out of the apply role's reach."
  }
}

run "attachable_policies_are_an_input" {
  command = apply

  variables {
    attachable_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.apply_iam["dev"].policy).Statement : s if contains(s.Action, "iam:AttachRolePolicy")]).Condition.ArnLike["iam:PolicyARN"] == [
      "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::200000000001:policy/search-*",
    ]
    error_message = "attachable_policy_arns replaces the catalog default; the team's own policies stay attachable."
  }
}

run "several_envs_in_one_account_stay_apart" {
  command = apply

  variables {
    environments = ["dev", "staging"]
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.apply_state["dev"].policy).Statement : s if s.Sid == "DenyOtherEnvs"]).Resource == [
      "arn:aws:s3:::idlc-tfstate-search-200000000001/staging/*",
      "arn:aws:s3:::idlc-tfstate-search-200000000001/plans/aws/search/staging/*",
    ]
    error_message = "The dev apply role must be denied staging's state and plans."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.plan["staging"].policy).Statement : s if s.Sid == "ReadState"]).Resource == "arn:aws:s3:::idlc-tfstate-search-200000000001/staging/*"
    error_message = "Each plan role reads its own env's state."
  }
}

run "rejects_a_missing_boundary" {
  command = plan

  variables {
    permissions_boundary_arn = null
  }

  expect_failures = [var.permissions_boundary_arn]
}

run "rejects_a_boundary_the_team_can_edit" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::200000000001:policy/search-boundary"
  }

  expect_failures = [var.permissions_boundary_arn]
}

run "rejects_wildcard_repository" {
  command = plan

  variables {
    repository = "acme/*"
  }

  expect_failures = [var.repository]
}

run "rejects_extra_subjects_a_pull_request_could_produce" {
  command = plan

  variables {
    plan_extra_subjects = [
      "repo:acme/idlc:pull_request",
      "repo:acme/idlc:pull_request:job_workflow_ref:acme/idlc/.github/workflows/evil.yml@refs/pull/7/merge",
      "repo:acme/idlc:ref:refs/heads/feature:job_workflow_ref:acme/idlc/.github/workflows/idlc-drift.yml@refs/heads/feature",
    ]
  }

  expect_failures = [var.plan_extra_subjects]
}

run "rejects_extra_subjects_of_other_repositories" {
  command = plan

  variables {
    plan_extra_subjects = ["repo:evil/idlc:ref:refs/heads/main:job_workflow_ref:evil/idlc/.github/workflows/x.yml@refs/heads/main"]
  }

  expect_failures = [var.plan_extra_subjects]
}

run "rejects_workflows_outside_github_workflows" {
  command = plan

  variables {
    plan_workflow_path = "ci/plan.yml"
  }

  expect_failures = [var.plan_workflow_path]
}

run "rejects_workflow_paths_that_leave_github_workflows" {
  command = plan

  variables {
    drift_workflow_path = ".github/workflows/../../evil.yml"
  }

  expect_failures = [var.drift_workflow_path]
}

run "rejects_the_plan_workflow_as_apply_workflow" {
  command = plan

  variables {
    apply_workflow_path = ".github/workflows/idlc-plan-run.yml"
  }

  expect_failures = [var.apply_workflow_path]
}

run "rejects_plan_review_envs_outside_environments" {
  command = plan

  variables {
    plan_review_envs = ["prod"]
  }

  expect_failures = [var.plan_review_envs]
}

run "rejects_read_only_access_for_plans" {
  command = plan

  variables {
    plan_managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  }

  expect_failures = [var.plan_managed_policy_arns]
}

run "rejects_administrator_access" {
  command = plan

  variables {
    apply_managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    attachable_policy_arns    = ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::200000000001:policy/*"]
  }

  expect_failures = [var.apply_managed_policy_arns, var.attachable_policy_arns]
}

run "rejects_team_names_reserved_for_ci_roles" {
  command = plan

  variables {
    team = "idlc-ops"
  }

  expect_failures = [var.team]
}
