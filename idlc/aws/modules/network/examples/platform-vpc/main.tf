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

  name              = "platform-dev"
  cidr_block        = "10.20.0.0/16"
  nat_gateway_mode  = "single"
  eks_cluster_names = ["platform-dev"]
}
