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

# Fine-tuning datasets next to the GPUs (same region), raw dumps moved to Coldline after 30 days.
module "training_data" {
  source = "../.."

  name       = "${var.project_id}-training-data"
  project_id = var.project_id
  location   = var.region

  lifecycle_rules = [{ prefix = "raw/", transition_after_days = 30, storage_class = "COLDLINE" }]
}
