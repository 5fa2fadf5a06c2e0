provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    team          = "assistant"
    env           = "dev"
    "cost-center" = "cc-2200"
    "managed-by"  = "idlc"
  }
}

module "baseline" {
  source = "../.."

  project_id = var.project_id
  team       = "assistant"
  env        = "dev"
  labels     = { team = "assistant", env = "dev", "cost-center" = "cc-2200" }

  github = {
    repository          = "acme/idlc"
    environments        = ["assistant-dev"]
    plan_extra_subjects = ["repo:acme/idlc:ref:refs/heads/main"]
  }

  state_bucket = "idlc-tfstate-assistant-acme-assistant-dev"
}
