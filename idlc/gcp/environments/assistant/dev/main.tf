# Assistant team on GCP (dev): project baseline with GitHub Workload Identity Federation,
# the fine-tuning data bucket, and the Vertex AI endpoint the training pipeline deploys to.
locals {
  name = "${var.idlc.team}-${var.idlc.env}"
  labels = {
    team          = var.idlc.team
    env           = var.idlc.env
    "cost-center" = var.idlc.cost_center
    "managed-by"  = "idlc"
  }
}

module "baseline" {
  source = "../../../modules/project-baseline"

  project_id   = var.idlc.project
  team         = var.idlc.team
  env          = var.idlc.env
  labels       = local.labels
  state_bucket = var.state_bucket

  github = {
    repository   = var.github_repository
    environments = ["${var.idlc.team}-${var.idlc.env}"]
  }
}

module "training_data" {
  source = "../../../modules/gcs-bucket"

  name       = "${var.idlc.project}-training-data"
  project_id = var.idlc.project
  location   = var.idlc.region
  labels     = { app = "fine-tuning" }

  lifecycle_rules = [{ prefix = "raw/", transition_after_days = 30, storage_class = "COLDLINE" }]
}

module "chat_endpoint" {
  source = "../../../modules/vertex-endpoint"

  project_id      = var.idlc.project
  region          = var.idlc.region
  display_name    = "${local.name}-chat"
  endpoint_id     = var.chat_endpoint_id
  invoker_members = var.chat_invokers
  labels          = { app = "chat" }
}
