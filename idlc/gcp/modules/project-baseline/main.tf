data "google_project" "this" {
  project_id = var.project_id
}

locals {
  gh         = var.github
  pool_name  = "projects/${data.google_project.this.number}/locations/global/workloadIdentityPools/${local.gh.pool_id}"
  plan_subs  = concat(["repo:${local.gh.repository}:pull_request"], local.gh.plan_extra_subjects)
  apply_subs = [for e in local.gh.environments : "repo:${local.gh.repository}:environment:${e}"]

  # CEL: only this repository (and owner, if pinned); pull requests (plan) or jobs bound to one of
  # the environments and running from the default branch (apply). Everything else is refused at
  # token exchange, before any IAM binding is consulted.
  attribute_condition = join(" && ", compact([
    "assertion.repository == '${local.gh.repository}'",
    local.gh.repository_owner_id == null ? "" : "assertion.repository_owner_id == '${local.gh.repository_owner_id}'",
    "(${join(" || ", concat(
      [for s in local.plan_subs : "assertion.sub == '${s}'"],
      ["((${join(" || ", [for s in local.apply_subs : "assertion.sub == '${s}'"])}) && assertion.ref == 'refs/heads/${local.gh.default_branch}')"],
    ))})",
  ]))
}

resource "google_project_service" "this" {
  for_each = toset(var.services)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_iam_workload_identity_pool" "github" {
  project                   = var.project_id
  workload_identity_pool_id = local.gh.pool_id
  display_name              = "GitHub Actions"
  description               = "GitHub Actions of ${local.gh.repository} (idlc, team ${var.team})"

  depends_on = [google_project_service.this]
}

resource "google_iam_workload_identity_pool_provider" "github" {
  #checkov:skip=CKV_GCP_125:The condition (exact assertion.sub == ... per subject, repository pinned) is rendered from validated variables by join/for expressions checkov cannot evaluate; tests/project_baseline.tftest.hcl asserts it
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = local.gh.provider_id
  display_name                       = "GitHub OIDC"
  description                        = "Tokens of ${local.gh.repository}: pull requests and environments ${join(", ", local.gh.environments)}"

  attribute_mapping = {
    "google.subject"                = "assertion.sub"
    "attribute.repository"          = "assertion.repository"
    "attribute.repository_owner_id" = "assertion.repository_owner_id"
    "attribute.ref"                 = "assertion.ref"
    "attribute.environment"         = "assertion.environment"
    "attribute.event_name"          = "assertion.event_name"
  }
  attribute_condition = local.attribute_condition

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "plan" {
  project      = var.project_id
  account_id   = "idlc-${var.team}-${var.env}-plan"
  display_name = "idlc plan (${var.team}/${var.env})"
  description  = "Read-only plans from pull requests of ${local.gh.repository}"
}

resource "google_service_account" "apply" {
  project      = var.project_id
  account_id   = "idlc-${var.team}-${var.env}-apply"
  display_name = "idlc apply (${var.team}/${var.env})"
  description  = "Applies from GitHub environments ${join(", ", local.gh.environments)} of ${local.gh.repository}"
}

# Impersonation is bound to exact subjects (principal://.../subject/...), never to the whole pool.
resource "google_service_account_iam_member" "plan_wif" {
  for_each = toset(local.plan_subs)

  service_account_id = google_service_account.plan.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${local.pool_name}/subject/${each.value}"
}

resource "google_service_account_iam_member" "apply_wif" {
  for_each = toset(local.apply_subs)

  service_account_id = google_service_account.apply.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${local.pool_name}/subject/${each.value}"
}

resource "google_project_iam_member" "plan" {
  #checkov:skip=CKV_GCP_117:Plans refresh every resource type the stacks manage; roles/viewer is read-only and the role list is a validated variable
  for_each = toset(var.plan_roles)

  project = var.project_id
  role    = each.value
  member  = google_service_account.plan.member
}

resource "google_project_iam_member" "apply" {
  #checkov:skip=CKV_GCP_41:The apply account creates workload service accounts and attaches them to node pools and endpoints
  #checkov:skip=CKV_GCP_49:Same: managing workload service accounts is the apply account's job; owner and IAM admin roles are refused by validation
  for_each = toset(var.apply_roles)

  project = var.project_id
  role    = each.value
  member  = google_service_account.apply.member
}

# State: plan reads everything and may create/delete only lock files and saved plans.
resource "google_storage_bucket_iam_member" "plan_state_read" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectViewer"
  member = google_service_account.plan.member
}

resource "google_storage_bucket_iam_member" "plan_state_locks" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectUser"
  member = google_service_account.plan.member

  condition {
    title       = "idlc-locks-and-plans"
    description = "Lock files and saved plans only"
    expression  = "resource.name.endsWith('.tflock') || resource.name.startsWith('projects/_/buckets/${var.state_bucket}/objects/plans/')"
  }
}

resource "google_storage_bucket_iam_member" "apply_state" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectUser"
  member = google_service_account.apply.member
}

resource "google_billing_budget" "this" {
  count = var.budget == null ? 0 : 1

  billing_account = var.budget.billing_account
  display_name    = "idlc ${var.project_id} monthly"

  budget_filter {
    projects = ["projects/${data.google_project.this.number}"]
  }

  amount {
    specified_amount {
      currency_code = "USD"
      units         = tostring(floor(var.budget.amount_usd))
    }
  }

  # Forecast first: a GPU node pool left at full size shows up before the invoice.
  threshold_rules {
    threshold_percent = 1.0
    spend_basis       = "FORECASTED_SPEND"
  }

  dynamic "threshold_rules" {
    for_each = var.budget.alert_percents
    content {
      threshold_percent = threshold_rules.value / 100
      spend_basis       = "CURRENT_SPEND"
    }
  }
}
