data "google_project" "this" {
  project_id = var.project_id
}

locals {
  gh        = var.github
  pool_name = "projects/${data.google_project.this.number}/locations/global/workloadIdentityPools/${local.gh.pool_id}"
}

# Subjects, the provider's attribute mapping and condition, and the state bucket's IAM
# conditions: plain strings, computed in a provider-free module (rendered and tested by real
# tofu where the google provider cannot be built).
module "access" {
  source = "./modules/access"

  team      = var.team
  env       = var.env
  pool_name = local.pool_name
  github = {
    repository          = local.gh.repository
    environments        = local.gh.environments
    default_branch      = local.gh.default_branch
    plan_review         = local.gh.plan_review
    plan_workflow_path  = local.gh.plan_workflow_path
    apply_workflow_path = local.gh.apply_workflow_path
    drift_workflow_path = local.gh.drift_workflow_path
    repository_owner_id = local.gh.repository_owner_id
    plan_extra_subjects = local.gh.plan_extra_subjects
  }
  state_bucket = var.state_bucket
  plans_prefix = var.plans_prefix
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
  #checkov:skip=CKV_GCP_125:The condition (repository pinned, default-branch workflow files only) is rendered from validated variables by join/for expressions checkov cannot evaluate; tests/project_baseline.tftest.hcl asserts it
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = local.gh.provider_id
  display_name                       = "GitHub OIDC"
  description                        = "Default-branch idlc workflows of ${local.gh.repository}"

  attribute_mapping   = module.access.attribute_mapping
  attribute_condition = module.access.attribute_condition

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "plan" {
  project      = var.project_id
  account_id   = "idlc-${var.team}-${var.env}-plan"
  display_name = "idlc plan (${var.team}/${var.env})"
  description  = "Read-only plans: ${local.gh.plan_workflow_path} of ${local.gh.repository} at ${local.gh.default_branch}"
}

resource "google_service_account" "apply" {
  project      = var.project_id
  account_id   = "idlc-${var.team}-${var.env}-apply"
  display_name = "idlc apply (${var.team}/${var.env})"
  description  = "Applies: ${local.gh.apply_workflow_path} of ${local.gh.repository} at ${local.gh.default_branch} in ${join(", ", local.gh.environments)}"
}

# Impersonation is bound to exact subjects (principalSet://.../attribute.sub/<subject>), never
# to the whole pool: plan to the plan-run (or plan review environment) and drift workflows of
# the default branch, apply to the apply workflow of the default branch in the environment.
resource "google_service_account_iam_member" "plan_wif" {
  for_each = toset(module.access.plan_subjects)

  service_account_id = google_service_account.plan.name
  role               = "roles/iam.workloadIdentityUser"
  member             = module.access.members[each.value]
}

resource "google_service_account_iam_member" "apply_wif" {
  for_each = toset(module.access.apply_subjects)

  service_account_id = google_service_account.apply.name
  role               = "roles/iam.workloadIdentityUser"
  member             = module.access.members[each.value]
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

  # A project-wide storage role would reach the state bucket too (and with it overwrite or
  # delete reviewed plans and apply records): it covers every bucket but that one.
  dynamic "condition" {
    for_each = var.state_bucket != null && startswith(each.value, "roles/storage.") ? [1] : []
    content {
      title       = "idlc-not-the-state-bucket"
      description = "Every bucket of the project but the idlc state bucket"
      expression  = module.access.storage_conditions.apply_project_storage
    }
  }
}

# State bucket. Plans and apply records under <plans_prefix> are created once and never
# overwritten or deleted by either account: they hold storage.objects.create there (GCS needs
# storage.objects.delete to replace an object), and the toolkit creates with ifGenerationMatch=0.
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
    title       = "idlc-state-locks"
    description = "State lock files (create and delete), nothing under the plans folder"
    expression  = module.access.storage_conditions.plan_locks
  }
}

resource "google_storage_bucket_iam_member" "plan_bundles" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectCreator"
  member = google_service_account.plan.member

  condition {
    title       = "idlc-plan-bundles"
    description = "Create (never replace or delete) plan bundles of this env: ${var.plans_prefix}gcp/${var.team}/${var.env}/**.tar"
    expression  = module.access.storage_conditions.plan_bundles
  }
}

resource "google_storage_bucket_iam_member" "apply_state_read" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectViewer"
  member = google_service_account.apply.member
}

resource "google_storage_bucket_iam_member" "apply_state" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectUser"
  member = google_service_account.apply.member

  condition {
    title       = "idlc-state"
    description = "State and lock files: everything but the plans folder"
    expression  = module.access.storage_conditions.apply_state
  }
}

resource "google_storage_bucket_iam_member" "apply_records" {
  count = var.state_bucket == null ? 0 : 1

  bucket = var.state_bucket
  role   = "roles/storage.objectCreator"
  member = google_service_account.apply.member

  condition {
    title       = "idlc-apply-records"
    description = "Create (never replace or delete) apply claims and results of this env: ${var.plans_prefix}gcp/${var.team}/${var.env}/**.json"
    expression  = module.access.storage_conditions.apply_records
  }
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
