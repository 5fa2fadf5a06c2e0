data "aws_caller_identity" "current" {}

locals {
  service = {
    eks-pod-identity = "pods.eks.amazonaws.com"
    sagemaker        = "sagemaker.amazonaws.com"
    ecs-tasks        = "ecs-tasks.amazonaws.com"
    bedrock          = "bedrock.amazonaws.com"
    ec2              = "ec2.amazonaws.com"
  }[var.workload_type]

  # EKS Pod Identity tags the session with the cluster, namespace and service account.
  trust_actions = var.workload_type == "eks-pod-identity" ? ["sts:AssumeRole", "sts:TagSession"] : ["sts:AssumeRole"]

  # EC2 does not send aws:SourceAccount when it assumes an instance role.
  confused_deputy_guard = var.workload_type != "ec2"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "Workload"
    actions = local.trust_actions

    principals {
      type        = "Service"
      identifiers = [local.service]
    }

    dynamic "condition" {
      for_each = local.confused_deputy_guard ? [data.aws_caller_identity.current.account_id] : []
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = var.description
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { "idlc:workload-type" = var.workload_type })
}

data "aws_iam_policy_document" "inline" {
  count = length(var.policy_statements) > 0 ? 1 : 0

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "inline" {
  count = length(var.policy_statements) > 0 ? 1 : 0

  name   = "${var.name}-inline"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.inline[0].json
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = toset(var.managed_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value
}
