# Search team (RAG over product docs): account baseline, the docs RAG pipeline, Bedrock
# guardrail and application inference profile for answers, the retriever image repository,
# and alarms. Platform network and cluster live in the platform account.
locals {
  name = "${var.idlc.team}-${var.idlc.env}"
  # The boundary the platform manages in the account: the apply role creates <team>-* roles only with it.
  permissions_boundary_arn = "arn:aws:iam::${var.idlc.account_id}:policy/idlc-workload-boundary"
}

module "baseline" {
  source = "../../../modules/account-baseline"

  permissions_boundary_arn = local.permissions_boundary_arn

  name                       = local.name
  monthly_budget_usd         = var.monthly_budget_usd
  service_budgets_usd        = var.service_budgets_usd
  budget_alert_emails        = var.budget_alert_emails
  alarm_subscriptions        = var.alarm_subscriptions
  bedrock_invocation_logging = { retention_days = var.invocation_log_retention_days }
}

module "docs" {
  source = "../../../modules/rag-stack"

  permissions_boundary_arn = local.permissions_boundary_arn

  name                 = "${local.name}-docs"
  team                 = var.idlc.team
  embedding_model_id   = var.embedding_model_id
  embedding_dimensions = var.embedding_dimensions
  corpus_prefixes      = ["docs/"]
}

module "bedrock" {
  source = "../../../modules/bedrock"

  name = local.name
  team = var.idlc.team
  inference_profiles = {
    answer = { model_source_arn = var.answer_model_arn, description = "Answers grounded in the docs corpus" }
  }
}

module "retriever_image" {
  source = "../../../modules/ecr-repository"

  name                = "${var.idlc.team}/retriever"
  pull_principal_arns = var.image_pull_principal_arns
}

module "monitoring" {
  source = "../../../modules/monitoring"

  name             = local.name
  alarm_topic_arns = [module.baseline.alarm_topic_arn]
  bedrock_models = {
    answer = { model_id = module.bedrock.inference_profile_arns["answer"], tokens_per_hour_max = var.tokens_per_hour_max }
  }
}
