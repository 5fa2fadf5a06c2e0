terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

resource "aws_sns_topic" "alerts" {
  name = "search-alerts"
  tags = { team = "assistant" }
}
