data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  bucket_name = coalesce(var.bucket_name, "idlc-tfstate-${var.team}-${data.aws_caller_identity.current.account_id}")
  kms_key_arn = var.kms_key_arn != null ? var.kms_key_arn : module.kms[0].key_arn
  tags        = merge(var.tags, { "idlc:purpose" = "terraform-state" })
}

module "kms" {
  source = "../kms-key"
  count  = var.kms_key_arn == null ? 1 : 0

  name        = "idlc-tfstate-${var.team}"
  description = "Encrypts the OpenTofu state and saved plans of team ${var.team}"
  tags        = local.tags
}

# A state file is never deleted by plan/apply; with versioning a delete only hides it, but a
# deny makes "rm the state" a deliberate break-glass change instead of a typo.
data "aws_iam_policy_document" "state" {
  dynamic "statement" {
    for_each = var.protect_state_objects ? [1] : []
    content {
      sid       = "DenyStateDeletion"
      effect    = "Deny"
      actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
      resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.bucket_name}/*.tfstate"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }
    }
  }
}

module "bucket" {
  source = "../s3-bucket"

  name                               = local.bucket_name
  kms_key_arn                        = local.kms_key_arn
  versioning_enabled                 = true
  noncurrent_version_expiration_days = var.state_version_retention_days
  access_log_bucket                  = var.access_log_bucket
  policy_documents                   = var.protect_state_objects ? [data.aws_iam_policy_document.state.json] : []

  lifecycle_rules = [
    { id = "expire-saved-plans", prefix = var.plans_prefix, expiration_days = var.plan_retention_days },
  ]

  tags = local.tags
}
