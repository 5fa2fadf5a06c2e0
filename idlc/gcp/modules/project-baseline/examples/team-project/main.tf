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

  # Plans of pull requests (idlc-plan-run.yml) and drift (idlc-drift.yml), applies
  # (idlc-apply.yml in environment assistant-dev): all from the default branch.
  github = {
    repository     = "acme/idlc"
    default_branch = "main"
    environments   = ["assistant-dev"]
  }

  state_bucket = "idlc-tfstate-assistant-acme-assistant-dev"
}
