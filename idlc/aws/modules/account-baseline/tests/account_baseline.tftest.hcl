mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/idlc-test" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/idlc/test" }
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
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:200000000001:search-dev-alarms" }
  }
}

variables {
  name                     = "search-dev"
  monthly_budget_usd       = 1500
  service_budgets_usd      = { "Amazon SageMaker" = 800 }
  alarm_subscriptions      = [{ protocol = "email", endpoint = "search-oncall@example.com" }]
  permissions_boundary_arn = "arn:aws:iam::100000000001:policy/idlc-workload-boundary"
}

run "budget_alerts_on_forecast_and_actual" {
  command = plan

  assert {
    condition     = contains([for n in aws_budgets_budget.monthly.notification : n.notification_type], "FORECASTED")
    error_message = "The budget must alert on the forecast."
  }

  assert {
    condition     = length([for n in aws_budgets_budget.monthly.notification : n if n.notification_type == "ACTUAL"]) == 2
    error_message = "The budget must alert on actual spend at 80 % and 100 %."
  }

  assert {
    condition     = aws_budgets_budget.monthly.limit_amount == "1500.00" && aws_budgets_budget.monthly.time_unit == "MONTHLY"
    error_message = "The budget must be monthly with the given limit."
  }

  assert {
    condition     = aws_budgets_budget.service["Amazon SageMaker"].name == "search-dev-amazon-sagemaker-monthly"
    error_message = "Service budgets must be named after the service."
  }
}

run "bedrock_logging_on_by_default" {
  command = plan

  assert {
    condition     = length(aws_bedrock_model_invocation_logging_configuration.this) == 1
    error_message = "Bedrock model invocation logging must be on by default."
  }

  assert {
    condition     = aws_cloudwatch_log_group.bedrock[0].retention_in_days == 30
    error_message = "Invocation logs (prompts) must expire after 30 days by default."
  }

  assert {
    condition     = length(aws_ce_cost_allocation_tag.this) == 0
    error_message = "Cost allocation tags are activated only in the management account (opt-in)."
  }

  assert {
    condition     = length(aws_s3_account_public_access_block.this) == 1 && length(aws_ebs_encryption_by_default.this) == 1
    error_message = "Account guardrails must be on by default."
  }
}

run "management_account_activates_cost_tags" {
  command = plan

  variables {
    activate_cost_allocation_tags = true
  }

  assert {
    condition     = toset(keys(aws_ce_cost_allocation_tag.this)) == toset(["team", "env", "cost-center", "owner", "stack", "managed-by"])
    error_message = "Every default_tags key must be activated as a cost allocation tag."
  }
}

run "rejects_plain_http_pager" {
  command = plan

  variables {
    alarm_subscriptions = [{ protocol = "http", endpoint = "http://pager.example.com" }]
  }

  expect_failures = [var.alarm_subscriptions]
}

run "rejects_zero_budget" {
  command = plan

  variables {
    monthly_budget_usd = 0
  }

  expect_failures = [var.monthly_budget_usd]
}

run "every_role_carries_the_permissions_boundary" {
  command = plan

  assert {
    condition     = alltrue([for r in aws_iam_role.bedrock_logging : r.permissions_boundary == var.permissions_boundary_arn])
    error_message = "Every role the module creates must carry the permissions boundary: the team's apply role may create <team>-* roles only with it."
  }
}

run "rejects_a_boundary_that_is_not_a_policy_arn" {
  command = plan

  variables {
    permissions_boundary_arn = "idlc-workload-boundary"
  }

  expect_failures = [var.permissions_boundary_arn]
}
