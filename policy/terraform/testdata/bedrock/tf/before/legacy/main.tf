terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "silent" {
  region = "eu-west-1"
  logging_config {
    embedding_data_delivery_enabled = true
    image_data_delivery_enabled     = true
    text_data_delivery_enabled      = true
    video_data_delivery_enabled     = true
    cloudwatch_config {
      log_group_name = "/aws/bedrock/invocations"
      role_arn       = "arn:aws:iam::200000000003:role/bedrock-logging"
    }
  }
}
