provider "google" {
  project = var.idlc.project
  region  = var.idlc.region

  default_labels = {
    team          = var.idlc.team
    env           = var.idlc.env
    "cost-center" = var.idlc.cost_center
    "managed-by"  = "idlc"
  }
}
