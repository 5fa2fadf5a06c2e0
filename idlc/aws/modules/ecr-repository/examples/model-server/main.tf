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

# Images of a vLLM-based model server; prod pulls the digests promoted from dev.
module "model_server" {
  source = "../.."

  name                = "assistant/vllm-server"
  keep_tagged_images  = 20
  pull_principal_arns = ["arn:aws:iam::300000000003:root"]
}
