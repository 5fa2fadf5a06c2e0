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

# Bootstrap of a team account: state bucket first, then the roles CI assumes.
module "state" {
  source = "../../../state-backend"

  team = "search"
}

module "github_oidc" {
  source = "../.."

  repository        = "acme/idlc"
  team              = "search"
  environments      = ["dev"]
  state_bucket_arn  = module.state.bucket_arn
  state_kms_key_arn = module.state.kms_key_arn

  # The scheduled drift plan runs on main.
  plan_extra_subjects = ["repo:acme/idlc:ref:refs/heads/main"]
}
