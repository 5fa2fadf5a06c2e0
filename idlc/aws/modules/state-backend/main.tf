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

locals {
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${local.bucket_name}"
  plans_arn  = "${local.bucket_arn}/${var.plans_prefix}*"

  # Every principal but the break-glass roles (aws:PrincipalArn is the role ARN of a session).
  unless_break_glass = { ArnNotEquals = { "aws:PrincipalArn" = var.break_glass_role_arns } }

  bucket_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      # A state file is never deleted by plan/apply; with versioning a delete only hides it, but
      # a deny makes "rm the state" a deliberate break-glass change instead of a typo.
      var.protect_state_objects ? [{
        Sid       = "DenyStateDeletion"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
        Resource  = "${local.bucket_arn}/*.tfstate"
      }] : [],
      [
        {
          # Bundles and apply markers are write-once: every PutObject under the prefix must be
          # a create (If-None-Match: *), so nothing is ever overwritten.
          Sid       = "DenyPlanOverwrites"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:PutObject"
          Resource  = local.plans_arn
          Condition = merge(local.unless_break_glass, { Null = { "s3:if-none-match" = "true" } })
        },
        {
          # Deleting a claim would let a bundle be applied twice; deleting a result hides what
          # happened. Lifecycle expiration is not a request and is not affected.
          Sid       = "DenyPlanDeletes"
          Effect    = "Deny"
          Principal = "*"
          Action    = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
          Resource  = local.plans_arn
          Condition = local.unless_break_glass
        },
        {
          Sid       = "DenyBucketSettingChanges"
          Effect    = "Deny"
          Principal = "*"
          Action = [
            "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
          ]
          Resource  = local.bucket_arn
          Condition = local.unless_break_glass
        },
      ],
    )
  })
}

module "bucket" {
  source = "../s3-bucket"

  name                               = local.bucket_name
  kms_key_arn                        = local.kms_key_arn
  versioning_enabled                 = true
  noncurrent_version_expiration_days = var.state_version_retention_days
  access_log_bucket                  = var.access_log_bucket
  policy_documents                   = [local.bucket_policy]

  lifecycle_rules = [
    { id = "expire-saved-plans", prefix = var.plans_prefix, expiration_days = var.plan_retention_days },
  ]

  tags = local.tags
}
