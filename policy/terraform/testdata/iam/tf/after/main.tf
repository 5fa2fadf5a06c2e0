# The change the IAM rules are tested on (policy/terraform/iam/iam_test.rego).

# pass: scoped actions, PassRole of one named role to one service
resource "aws_iam_policy" "scoped" {
  name = "search-read-documents"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::acme-search-prod-documents", "arn:aws:s3:::acme-search-prod-documents/*"]
      },
      {
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = "arn:aws:iam::200000000003:role/search-sagemaker"
        Condition = { StringEquals = { "iam:PassedToService" = "sagemaker.amazonaws.com" } }
      },
    ]
  })
}

# deny: Allow * on *
resource "aws_iam_policy" "admin" {
  name   = "search-admin"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

# deny: iam:PassRole on any role
resource "aws_iam_role_policy" "pass_any" {
  name = "pass-any-role"
  role = "search-deployer"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["ec2:RunInstances", "iam:PassRole"], Resource = "*" }]
  })
}

# deny: an existing role whose inline policy becomes Allow * on * (an update)
resource "aws_iam_role" "inline_admin" {
  name = "search-inline"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name   = "all"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["*"], Resource = ["*"] }] })
  }
}

# warn: Allow with NotAction on *
resource "aws_iam_policy" "not_action" {
  name   = "search-not-iam"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }] })
}

# pass: Deny statements are guardrails, not grants, however wide
resource "aws_iam_policy" "deny_outside_region" {
  name = "search-deny-outside-region"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:RequestedRegion" = ["eu-central-1"] } }
    }]
  })
}

resource "aws_iam_role_policy" "deny_pass_any" {
  name = "deny-pass-any-role"
  role = "search-deployer"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = ["iam:PassRole", "iam:*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "deny_not_action" {
  name   = "search-deny-all-but-s3"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", NotAction = "s3:*", Resource = "*" }] })
}

# policy documents read at plan time (their statements are in prior_state)
data "aws_iam_policy_document" "wide" {
  statement {
    effect    = "Allow"
    actions   = ["iam:*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "narrow" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = ["arn:aws:sqs:eu-central-1:200000000003:search-jobs"]
  }
}

data "aws_iam_policy_document" "guardrail" {
  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

resource "aws_iam_policy" "from_documents" {
  name   = "search-from-documents"
  policy = data.aws_iam_policy_document.narrow.json
}
