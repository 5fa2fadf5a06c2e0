data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  region      = data.aws_region.current.region
  kms_key_arn = var.kms_key_arn != null ? var.kms_key_arn : module.kms[0].key_arn
  logging     = var.bedrock_invocation_logging
}

module "kms" {
  source = "../kms-key"
  count  = var.kms_key_arn == null ? 1 : 0

  name        = "${var.name}-baseline"
  description = "Encrypts the alarm topic and Bedrock invocation logs of ${var.name}"
  # Publishers of the encrypted alarm topic, and CloudWatch Logs for the invocation log group.
  service_principals = ["budgets.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com", "logs.${local.region}.amazonaws.com"]
  tags               = var.tags
}

# ---------------------------------------------------------------------------------------------
# Alarm topic: every alarm of the monitoring module and every budget alert lands here.
# ---------------------------------------------------------------------------------------------
resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "alarms" {
  statement {
    sid = "AccountOwner"
    actions = [
      "SNS:GetTopicAttributes", "SNS:ListSubscriptionsByTopic", "SNS:Publish", "SNS:SetTopicAttributes",
      "SNS:Subscribe",
    ]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AlarmAndBudgetPublishers"
    actions   = ["SNS:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["budgets.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms.json
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each = { for s in var.alarm_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

# ---------------------------------------------------------------------------------------------
# Budgets: alert on the forecast first - a GPU endpoint left running is visible days before the
# invoice. Service budgets isolate SageMaker/Bedrock spend from the rest of the account.
# ---------------------------------------------------------------------------------------------
resource "aws_budgets_budget" "monthly" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = var.forecast_alert_percent
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_sns_topic_arns  = [aws_sns_topic.alarms.arn]
    subscriber_email_addresses = var.budget_alert_emails
  }

  dynamic "notification" {
    for_each = toset(var.actual_alert_percents)
    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value
      threshold_type             = "PERCENTAGE"
      notification_type          = "ACTUAL"
      subscriber_sns_topic_arns  = [aws_sns_topic.alarms.arn]
      subscriber_email_addresses = var.budget_alert_emails
    }
  }

  tags = var.tags

  depends_on = [aws_sns_topic_policy.alarms]
}

resource "aws_budgets_budget" "service" {
  for_each = var.service_budgets_usd

  name         = "${var.name}-${replace(lower(each.key), "/[^a-z0-9]+/", "-")}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", each.value)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "Service"
    values = [each.key]
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = var.forecast_alert_percent
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_sns_topic_arns  = [aws_sns_topic.alarms.arn]
    subscriber_email_addresses = var.budget_alert_emails
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_sns_topic_arns  = [aws_sns_topic.alarms.arn]
    subscriber_email_addresses = var.budget_alert_emails
  }

  tags = var.tags

  depends_on = [aws_sns_topic_policy.alarms]
}

resource "aws_ce_cost_allocation_tag" "this" {
  for_each = var.activate_cost_allocation_tags ? toset(var.cost_allocation_tag_keys) : toset([])

  tag_key = each.key
  status  = "Active"
}

# ---------------------------------------------------------------------------------------------
# Bedrock model invocation logging (regional, one configuration per account and region).
# ---------------------------------------------------------------------------------------------
resource "aws_cloudwatch_log_group" "bedrock" {
  count = local.logging.enabled ? 1 : 0

  name              = "/idlc/bedrock/${var.name}/model-invocations"
  retention_in_days = local.logging.retention_days
  kms_key_id        = local.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "bedrock_logging_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:bedrock:${local.region}:${local.account_id}:*"]
    }
  }
}

data "aws_iam_policy_document" "bedrock_logging" {
  count = local.logging.enabled ? 1 : 0

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.bedrock[0].arn}:log-stream:*"]
  }
}

resource "aws_iam_role" "bedrock_logging" {
  count = local.logging.enabled ? 1 : 0

  name                 = "${var.name}-bedrock-invocation-logging"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.bedrock_logging_trust.json

  tags = var.tags
}

resource "aws_iam_role_policy" "bedrock_logging" {
  count = local.logging.enabled ? 1 : 0

  name   = "write-invocation-logs"
  role   = aws_iam_role.bedrock_logging[0].id
  policy = data.aws_iam_policy_document.bedrock_logging[0].json
}

resource "aws_bedrock_model_invocation_logging_configuration" "this" {
  count = local.logging.enabled ? 1 : 0

  logging_config {
    text_data_delivery_enabled      = local.logging.log_text
    embedding_data_delivery_enabled = local.logging.log_embeddings
    image_data_delivery_enabled     = local.logging.log_images
    video_data_delivery_enabled     = local.logging.log_images

    cloudwatch_config {
      log_group_name = aws_cloudwatch_log_group.bedrock[0].name
      role_arn       = aws_iam_role.bedrock_logging[0].arn
    }
  }

  depends_on = [aws_iam_role_policy.bedrock_logging]
}

# ---------------------------------------------------------------------------------------------
# Account guardrails.
# ---------------------------------------------------------------------------------------------
resource "aws_s3_account_public_access_block" "this" {
  count = var.account_guardrails ? 1 : 0

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_ebs_encryption_by_default" "this" {
  count = var.account_guardrails ? 1 : 0

  enabled = true
}
