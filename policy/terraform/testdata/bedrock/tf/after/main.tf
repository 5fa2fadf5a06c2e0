# The change the Bedrock logging rule is tested on (policy/terraform/bedrock/bedrock_test.rego),
# in an account-baseline stack.

# pass: every kind of data delivered to CloudWatch
resource "aws_bedrock_model_invocation_logging_configuration" "main" {
  region = "eu-central-1"
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

# deny (no destination) and warn (text delivery off): an update of the legacy region's
module "legacy" {
  source = "./legacy"
}
