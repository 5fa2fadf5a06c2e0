provider "aws" {
  region              = var.idlc.region
  allowed_account_ids = [var.idlc.account_id]

  default_tags {
    tags = {
      team          = var.idlc.team
      env           = var.idlc.env
      "cost-center" = var.idlc.cost_center
      owner         = var.idlc.owner
      "managed-by"  = "idlc"
      stack         = var.idlc.stack
    }
  }
}
