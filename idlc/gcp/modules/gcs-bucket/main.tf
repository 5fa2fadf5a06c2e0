locals {
  iam = merge([for role, members in var.iam_members : { for m in members : "${role}|${m}" => { role = role, member = m } }]...)
}

resource "google_storage_bucket" "this" {
  name                        = var.name
  project                     = var.project_id
  location                    = var.location
  force_destroy               = var.force_destroy
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = var.versioning_enabled
  }

  soft_delete_policy {
    retention_duration_seconds = var.soft_delete_retention_days * 86400
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  dynamic "logging" {
    for_each = var.access_log_bucket == null ? [] : [var.access_log_bucket]
    content {
      log_bucket        = logging.value
      log_object_prefix = var.name
    }
  }

  lifecycle_rule {
    action {
      type = "AbortIncompleteMultipartUpload"
    }
    condition {
      age = 7
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.versioning_enabled && var.noncurrent_version_expiration_days > 0 ? [var.noncurrent_version_expiration_days] : []
    content {
      action {
        type = "Delete"
      }
      condition {
        days_since_noncurrent_time = lifecycle_rule.value
        with_state                 = "ARCHIVED"
      }
    }
  }

  dynamic "lifecycle_rule" {
    for_each = [for r in var.lifecycle_rules : r if r.delete_after_days != null]
    content {
      action {
        type = "Delete"
      }
      condition {
        age            = lifecycle_rule.value.delete_after_days
        matches_prefix = lifecycle_rule.value.prefix == null ? [] : [lifecycle_rule.value.prefix]
      }
    }
  }

  dynamic "lifecycle_rule" {
    for_each = [for r in var.lifecycle_rules : r if r.transition_after_days != null]
    content {
      action {
        type          = "SetStorageClass"
        storage_class = lifecycle_rule.value.storage_class
      }
      condition {
        age            = lifecycle_rule.value.transition_after_days
        matches_prefix = lifecycle_rule.value.prefix == null ? [] : [lifecycle_rule.value.prefix]
      }
    }
  }

  labels = var.labels
}

resource "google_storage_bucket_iam_member" "this" {
  for_each = local.iam

  bucket = google_storage_bucket.this.name
  role   = each.value.role
  member = each.value.member
}
