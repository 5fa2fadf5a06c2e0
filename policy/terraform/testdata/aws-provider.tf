# Shared by every fixture that regen.sh plans with the real AWS provider (6.47.1 from the tools
# mirror). Fake keys and no account lookup: a plan of new resources makes no AWS call, and
# whatever must exist beforehand (the "before" configuration) is applied to a local moto
# server, whose address regen.sh passes as var.moto_endpoint. Production stacks set none of
# this: they get real credentials and the registry's allowed_account_ids.
terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.47.1"
    }
  }
}

variable "moto_endpoint" {
  type        = string
  description = "The moto server regen.sh started (http://127.0.0.1:PORT)."
}

variable "default_tags" {
  type        = map(string)
  description = "The cost and owner tags idlc's stacks set through the provider (from idlc.yaml)."
}

provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  default_tags {
    tags = var.default_tags
  }
  endpoints {
    autoscaling = var.moto_endpoint
    batch       = var.moto_endpoint
    bedrock     = var.moto_endpoint
    dynamodb    = var.moto_endpoint
    ec2         = var.moto_endpoint
    eks         = var.moto_endpoint
    elbv2       = var.moto_endpoint
    iam         = var.moto_endpoint
    kms         = var.moto_endpoint
    logs        = var.moto_endpoint
    rds         = var.moto_endpoint
    s3          = var.moto_endpoint
    sagemaker   = var.moto_endpoint
    sns         = var.moto_endpoint
    sqs         = var.moto_endpoint
    sts         = var.moto_endpoint
  }
}
