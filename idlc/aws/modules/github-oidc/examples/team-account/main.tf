provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team          = "search"
      env           = "prod"
      "cost-center" = "cc-2100"
      "managed-by"  = "idlc"
    }
  }
}

# Bootstrap of a team account (applied with break-glass credentials): state bucket first, then
# the roles CI assumes.
module "state" {
  source = "../../../state-backend"

  team                  = "search"
  break_glass_role_arns = [var.break_glass_role_arn]
}

module "github_oidc" {
  source = "../.."

  repository        = "acme/idlc"
  default_branch    = "main"
  team              = "search"
  environments      = ["prod"]
  state_bucket_arn  = module.state.bucket_arn
  state_kms_key_arn = module.state.kms_key_arn
  plans_prefix      = module.state.plans_prefix

  # prod plans run behind the GitHub environment search-prod-plan (plan_review: true).
  plan_review_envs = ["prod"]

  # Every role the apply role creates must carry it; the team cannot edit it (not search-*).
  permissions_boundary_arn = var.permissions_boundary_arn
}
