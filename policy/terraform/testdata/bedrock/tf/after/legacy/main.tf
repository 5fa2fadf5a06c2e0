terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "silent" {
  region = "eu-west-1"
  logging_config {
    embedding_data_delivery_enabled = false
    image_data_delivery_enabled     = false
    text_data_delivery_enabled      = false
    video_data_delivery_enabled     = false
  }
}
