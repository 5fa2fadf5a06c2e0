# Platform network of one environment: the VPC every team workload and the shared EKS cluster
# run in, plus the platform account's baseline (alarm topic, budget, Bedrock logging).
locals {
  name = "${var.idlc.team}-${var.idlc.env}"
  # The boundary the platform manages in the account: the apply role creates <team>-* roles only with it.
  permissions_boundary_arn = "arn:aws:iam::${var.idlc.account_id}:policy/idlc-workload-boundary"
}

module "baseline" {
  source = "../../../../modules/account-baseline"

  permissions_boundary_arn = local.permissions_boundary_arn

  name                = local.name
  monthly_budget_usd  = var.monthly_budget_usd
  budget_alert_emails = var.budget_alert_emails
  alarm_subscriptions = var.alarm_subscriptions
  # The platform account runs no Bedrock workloads of its own.
  bedrock_invocation_logging = { enabled = false }
}

module "network" {
  source = "../../../../modules/network"

  permissions_boundary_arn = local.permissions_boundary_arn

  name                    = local.name
  cidr_block              = var.cidr_block
  nat_gateway_mode        = var.nat_gateway_mode
  flow_log_retention_days = var.flow_log_retention_days
  # The cluster stack of the same env is named like the VPC.
  eks_cluster_names = [local.name]
}
