# Assistant team (customer assistant on Bedrock plus a self-hosted LLM on SageMaker): account
# baseline, Bedrock guardrail and inference profiles, the model-server image and artifacts, the
# SageMaker endpoint with its execution role, and alarms including the GPU-idle guard.
locals {
  name           = "${var.idlc.team}-${var.idlc.env}"
  llm_endpoint   = "${local.name}-llm"
  model_bucket   = "${local.name}-models-${var.idlc.account_id}"
  model_prefix   = "llm/"
  image_reponame = "${var.idlc.team}/vllm-server"
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

module "bedrock" {
  source = "../../../modules/bedrock"

  name               = local.name
  team               = var.idlc.team
  inference_profiles = var.inference_profiles
  guardrail          = { denied_topics = var.denied_topics }
}

module "model_server_image" {
  source = "../../../modules/ecr-repository"

  name                = local.image_reponame
  keep_tagged_images  = 10
  pull_principal_arns = var.image_pull_principal_arns
}

module "models" {
  source = "../../../modules/s3-bucket"

  name = local.model_bucket
}

module "llm_execution_role" {
  source = "../../../modules/iam-workload-role"

  permissions_boundary_arn = local.permissions_boundary_arn

  name          = "${local.llm_endpoint}-execution"
  workload_type = "sagemaker"
  description   = "SageMaker execution role of ${local.llm_endpoint}"
  policy_statements = [
    {
      sid       = "ReadModelArtifacts"
      actions   = ["s3:GetObject"]
      resources = ["${module.models.bucket_arn}/${local.model_prefix}*"]
    },
    {
      sid       = "PullModelServer"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = [module.model_server_image.repository_arn]
    },
    {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    },
    {
      sid       = "Logs"
      actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["arn:aws:logs:${var.idlc.region}:${var.idlc.account_id}:log-group:/aws/sagemaker/Endpoints/${local.llm_endpoint}*"]
    },
    {
      sid        = "Metrics"
      actions    = ["cloudwatch:PutMetricData"]
      resources  = ["*"]
      conditions = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = ["/aws/sagemaker/Endpoints"] }]
    },
  ]
}

module "llm" {
  source = "../../../modules/sagemaker-endpoint"

  name = local.llm_endpoint
  mode = "real-time"

  model = {
    image              = "${module.model_server_image.repository_url}:${var.llm.image_tag}"
    execution_role_arn = module.llm_execution_role.role_arn
    model_data_url     = "s3://${module.models.bucket_name}/${local.model_prefix}${var.llm.model_artifact}"
    environment        = var.llm.environment
  }

  instance    = { type = var.llm.instance_type, initial_count = var.llm.min_instances, volume_size_gb = var.llm.volume_size_gb }
  autoscaling = { min_capacity = var.llm.min_instances, max_capacity = var.llm.max_instances, target_invocations_per_instance = var.llm.target_invocations_per_instance }
  # Blue/green: a new model or image that trips these alarms is rolled back by SageMaker.
  rollback_alarm_names = module.monitoring.rollback_alarm_names["llm"]
}

module "monitoring" {
  source = "../../../modules/monitoring"

  name             = local.name
  alarm_topic_arns = [module.baseline.alarm_topic_arn]

  # The endpoint name comes from the same local as the endpoint's (not from its output), so the
  # endpoint's blue/green rollback can watch these alarms without a dependency cycle.
  sagemaker_endpoints = {
    llm = {
      endpoint_name       = local.llm_endpoint
      latency_p90_ms      = var.llm.latency_p90_ms
      gpu_hourly_cost_usd = var.llm.hourly_cost_usd
    }
  }

  bedrock_models = {
    for app, arn in module.bedrock.inference_profile_arns : app => { model_id = arn, tokens_per_hour_max = var.tokens_per_hour_max }
  }
}
