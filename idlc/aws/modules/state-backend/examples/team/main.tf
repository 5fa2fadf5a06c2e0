provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team          = "search"
      env           = "dev"
      "cost-center" = "cc-2100"
      "managed-by"  = "idlc"
    }
  }
}

# Bootstrapped once per team account (before idlc can plan anything there).
module "state" {
  source = "../.."

  team                  = "search"
  break_glass_role_arns = [var.break_glass_role_arn]
}
