provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team          = "assistant"
      env           = "dev"
      "cost-center" = "cc-2200"
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

  name       = "assistant-dev"
  cidr_block = "10.40.0.0/16"
}

module "task_role" {
  source = "../../../iam-workload-role"

  permissions_boundary_arn = local.permissions_boundary_arn

  name          = "assistant-dev-embedder"
  workload_type = "ecs-tasks"
  policy_statements = [{
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::assistant-dev-models-${data.aws_caller_identity.current.account_id}/embedder/*"]
  }]
}

# A text-embeddings-inference server on one g5.xlarge GPU, reachable from inside the VPC.
module "embedder" {
  source = "../.."

  permissions_boundary_arn = local.permissions_boundary_arn

  name          = "assistant-dev-embedder"
  vpc_id        = module.network.vpc_id
  subnet_ids    = module.network.private_subnet_ids
  instance_type = "g5.xlarge"
  task_role_arn = module.task_role.role_arn

  container = {
    image         = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.region}.amazonaws.com/assistant/tei:1.5"
    port          = 8080
    gpus          = 1
    environment   = { MODEL_ID = "/data/model" }
    scratch_paths = ["/tmp", "/data"]
  }

  ingress_cidrs = [module.network.vpc_cidr_block]
}
