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

# Private regional cluster with an L4 pool that scales from zero (spot in dev).
module "gke" {
  source = "../.."

  name                = "assistant-dev"
  project_id          = var.project_id
  region              = var.region
  network             = "assistant-dev"
  subnetwork          = "assistant-dev-${var.region}"
  pods_range_name     = "pods"
  services_range_name = "services"
  deletion_protection = false

  master_authorized_networks = [{ cidr = "10.10.0.0/16", name = "ci-runners" }]

  gpu_pool = { machine_type = "g2-standard-8", accelerator_type = "nvidia-l4", max_nodes = 2, spot = true }
  labels   = { team = "assistant", env = "dev" }
}
