data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  issuer     = "token.actions.githubusercontent.com"

  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn

  plan_policy_arns  = coalesce(var.plan_managed_policy_arns, ["arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"])
  apply_policy_arns = coalesce(var.apply_managed_policy_arns, ["arn:${local.partition}:iam::aws:policy/PowerUserAccess"])

  envs = toset(var.environments)

  # IAM actions that support the iam:PermissionsBoundary condition key.
  boundary_actions = [
    "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
  ]
  role_actions = [
    "iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:ListRoleTags", "iam:PassRole",
    "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
    "iam:UpdateRoleDescription",
  ]

  plan_attachments = {
    for pair in setproduct(var.environments, local.plan_policy_arns) : "${pair[0]}|${pair[1]}" => { env = pair[0], arn = pair[1] }
  }
  apply_attachments = {
    for pair in setproduct(var.environments, local.apply_policy_arns) : "${pair[0]}|${pair[1]}" => { env = pair[0], arn = pair[1] }
  }
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# Trust: the plan role is trusted for pull_request runs of this repository only; the apply role
# only for jobs bound to the GitHub environment <team>-<env> (which carries the required
# reviewers and the default-branch restriction). Both pin the audience with StringEquals: a
# ForAllValues operator on a single-valued claim would match a token *without* the claim.
# ---------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "plan_trust" {
  statement {
    sid     = "GitHubPullRequests"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = concat(["repo:${var.repository}:pull_request"], var.plan_extra_subjects)
    }
  }
}

data "aws_iam_policy_document" "apply_trust" {
  for_each = local.envs

  statement {
    sid     = "GitHubEnvironment"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["repo:${var.repository}:environment:${var.team}-${each.key}"]
    }
  }
}

# ---------------------------------------------------------------------------------------------
# State access. Keys follow state.key in idlc.yaml: <env>/<stack>/terraform.tfstate, the S3
# native lock next to it as <key>.tflock, saved plans under plans_prefix.
# ---------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "plan_state" {
  for_each = local.envs

  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = ["${var.state_bucket_arn}/${each.key}/*"]
  }

  statement {
    sid       = "WriteLockfile"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/${each.key}/*.tflock"]
  }

  # Plan bundles only: <plans_prefix><stack id>/<head sha>/bundle.tar. The plan role can never
  # write the applied.json markers that stop a bundle from being applied twice.
  statement {
    sid       = "WritePlanBundles"
    actions   = ["s3:PutObject"]
    resources = ["${var.state_bucket_arn}/${var.plans_prefix}*/bundle.tar"]
  }

  statement {
    sid       = "UseStateKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.state_kms_key_arn]
  }
}

data "aws_iam_policy_document" "apply_state" {
  for_each = local.envs

  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]
  }

  statement {
    sid       = "ReadWriteState"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.state_bucket_arn}/${each.key}/*"]
  }

  statement {
    sid       = "ReleaseLockfile"
    actions   = ["s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/${each.key}/*.tflock"]
  }

  statement {
    sid       = "ReadPlans"
    actions   = ["s3:GetObject"]
    resources = ["${var.state_bucket_arn}/${var.plans_prefix}*"]
  }

  # The applied.json marker (written with If-None-Match: *) that refuses a second apply.
  statement {
    sid       = "RecordApply"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/${var.plans_prefix}*/applied.json"]
  }

  statement {
    sid       = "UseStateKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.state_kms_key_arn]
  }
}

# PowerUserAccess excludes IAM. Stacks create workload roles, so the apply role may manage IAM
# roles, policies and instance profiles named <team>-* (never idlc-*: it cannot touch the CI
# roles) and pass only those roles to services.
data "aws_iam_policy_document" "apply_iam" {
  statement {
    sid       = "ManageTeamRoles"
    actions   = var.permissions_boundary_arn == null ? concat(local.role_actions, local.boundary_actions, ["iam:DeleteRolePermissionsBoundary"]) : local.role_actions
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.team}-*"]
  }

  # With a boundary, the actions that can raise a role's permissions require the boundary on
  # the request (StringEquals, not ...IfExists: a request without a boundary must fail).
  dynamic "statement" {
    for_each = var.permissions_boundary_arn == null ? [] : [var.permissions_boundary_arn]
    content {
      sid       = "ManageTeamRolesWithinBoundary"
      actions   = local.boundary_actions
      resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.team}-*"]

      condition {
        test     = "StringEquals"
        variable = "iam:PermissionsBoundary"
        values   = [statement.value]
      }
    }
  }

  statement {
    sid = "ManageTeamPolicies"
    actions = [
      "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
      "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags", "iam:ListPolicyVersions",
      "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:policy/${var.team}-*"]
  }

  statement {
    sid = "ManageTeamInstanceProfiles"
    actions = [
      "iam:AddRoleToInstanceProfile", "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile",
      "iam:GetInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile",
      "iam:UntagInstanceProfile",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:instance-profile/${var.team}-*"]
  }
}

resource "aws_iam_role" "plan" {
  for_each = local.envs

  name                 = "idlc-${var.team}-${each.key}-plan"
  description          = "idlc plan (read-only) for ${var.team}/${each.key}: pull requests of ${var.repository}"
  assume_role_policy   = data.aws_iam_policy_document.plan_trust.json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { "idlc:role" = "plan", "idlc:env" = each.key })
}

resource "aws_iam_role_policy" "plan_state" {
  for_each = local.envs

  name   = "idlc-state"
  role   = aws_iam_role.plan[each.key].id
  policy = data.aws_iam_policy_document.plan_state[each.key].json
}

resource "aws_iam_role_policy_attachment" "plan" {
  for_each = local.plan_attachments

  role       = aws_iam_role.plan[each.value.env].name
  policy_arn = each.value.arn
}

resource "aws_iam_role" "apply" {
  for_each = local.envs

  name                 = "idlc-${var.team}-${each.key}-apply"
  description          = "idlc apply for ${var.team}/${each.key}: only jobs in GitHub environment ${var.team}-${each.key} of ${var.repository}"
  assume_role_policy   = data.aws_iam_policy_document.apply_trust[each.key].json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { "idlc:role" = "apply", "idlc:env" = each.key })
}

resource "aws_iam_role_policy" "apply_state" {
  for_each = local.envs

  name   = "idlc-state"
  role   = aws_iam_role.apply[each.key].id
  policy = data.aws_iam_policy_document.apply_state[each.key].json
}

resource "aws_iam_role_policy" "apply_iam" {
  for_each = local.envs

  name   = "idlc-team-iam"
  role   = aws_iam_role.apply[each.key].id
  policy = data.aws_iam_policy_document.apply_iam.json
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = local.apply_attachments

  role       = aws_iam_role.apply[each.value.env].name
  policy_arn = each.value.arn
}
