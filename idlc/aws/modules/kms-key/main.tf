data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_root     = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  logs_principals  = [for s in var.service_principals : s if startswith(s, "logs.")]
  other_principals = [for s in var.service_principals : s if !startswith(s, "logs.")]
}

data "aws_iam_policy_document" "key" {
  # A key policy is attached to one key: "*" as resource means "this key", nothing wider.
  #checkov:skip=CKV_AWS_109:Key policy; "*" is this key and administrators are named principals
  #checkov:skip=CKV_AWS_111:Key policy; "*" is this key and users are named principals
  #checkov:skip=CKV_AWS_356:Key policy; "*" is the only valid resource in a key policy
  # The account root keeps full control so that IAM policies in this account can grant use
  # and the key can never become unmanageable. This is AWS's default key policy statement.
  statement {
    sid       = "AccountRootFullAccess"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  dynamic "statement" {
    for_each = length(var.administrator_arns) > 0 ? [1] : []
    content {
      sid = "KeyAdministration"
      actions = [
        "kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*",
        "kms:Enable*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Revoke*", "kms:ScheduleKeyDeletion",
        "kms:TagResource", "kms:UntagResource", "kms:Update*",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.administrator_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.user_arns) > 0 ? [1] : []
    content {
      sid       = "KeyUse"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.user_arns
      }
    }
  }

  # CloudWatch Logs sends no aws:SourceAccount to KMS; it is scoped by the encryption context
  # it always sets (the ARN of the log group), as the CloudWatch Logs documentation prescribes.
  dynamic "statement" {
    for_each = length(local.logs_principals) > 0 ? [1] : []
    content {
      sid       = "CloudWatchLogsUseForThisAccount"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = local.logs_principals
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${data.aws_partition.current.partition}:logs:*:${data.aws_caller_identity.current.account_id}:*"]
      }
    }
  }

  # Other services (SNS, CloudWatch alarms, Bedrock, SageMaker) act for this account only:
  # aws:SourceAccount is the confused-deputy guard AWS recommends in key policies.
  dynamic "statement" {
    for_each = length(local.other_principals) > 0 ? [1] : []
    content {
      sid       = "ServiceUseForThisAccount"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = local.other_principals
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  deletion_window_in_days = var.deletion_window_in_days
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  policy                  = data.aws_iam_policy_document.key.json

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
