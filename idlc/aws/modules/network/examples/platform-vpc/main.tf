data "aws_caller_identity" "current" {}

# The permissions boundary the platform manages in every team account; the team's apply role
# may create or change <team>-* roles only with it.
locals {
  permissions_boundary_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:policy/idlc-workload-boundary"
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team          = "platform"
      env           = "dev"
      "cost-center" = "cc-0100"
      "managed-by"  = "idlc"
    }
  }
}

module "network" {
  source = "../.."

  permissions_boundary_arn = local.permissions_boundary_arn

  name              = "platform-dev"
  cidr_block        = "10.20.0.0/16"
  nat_gateway_mode  = "single"
  eks_cluster_names = ["platform-dev"]
}
