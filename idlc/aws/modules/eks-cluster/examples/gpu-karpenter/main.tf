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

data "aws_caller_identity" "current" {}

# The permissions boundary the platform manages in every team account; the team's apply role
# may create or change <team>-* roles only with it.
locals {
  permissions_boundary_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:policy/idlc-workload-boundary"
}

module "network" {
  source = "../../../network"

  permissions_boundary_arn = local.permissions_boundary_arn

  name              = "platform-dev"
  cidr_block        = "10.20.0.0/16"
  eks_cluster_names = ["platform-dev"]
}

module "cluster" {
  source = "../.."

  permissions_boundary_arn = local.permissions_boundary_arn

  name                         = "platform-dev"
  kubernetes_version           = "1.33"
  subnet_ids                   = module.network.private_subnet_ids
  deletion_protection          = false
  cluster_admin_principal_arns = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/idlc-platform-dev-apply"]

  gpu = {
    mode           = "karpenter"
    instance_types = ["g5.xlarge", "g5.2xlarge", "g6.xlarge"]
    max_gpus       = 4
    idle_minutes   = 10
  }
}
