# The change the tag rules are tested on (policy/terraform/tags/tags_test.rego).

# A provider as a stack without default_tags would have it: only a resource's own tags apply.
provider "aws" {
  alias                       = "no_default_tags"
  region                      = "eu-central-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    sqs = var.moto_endpoint
    sts = var.moto_endpoint
  }
}

# pass: the stack's default_tags are complete
resource "aws_sqs_queue" "jobs" {
  name = "search-jobs"
}

# deny: no default_tags and the resource's own tags lack cost-center and owner (an update)
resource "aws_sqs_queue" "untagged" {
  provider = aws.no_default_tags
  name     = "search-untagged"
  tags     = { Name = "search-untagged", team = "search", owner = "" }
}

# deny: a resource that claims another team
module "app" {
  source   = "./app"
  for_each = toset(["blue"])
}

# warn: tags known only after apply
resource "aws_cloudwatch_log_group" "computed" {
  name              = "search-computed"
  retention_in_days = 30
  tags              = { queue = aws_sqs_queue.jobs.arn }
}

# pass: not taggable
resource "aws_iam_role_policy_attachment" "not_taggable" {
  role       = "search-app"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# pass: untouched, however it is tagged
resource "aws_sqs_queue" "legacy" {
  name = "search-legacy"
  tags = { team = "other" }
}
