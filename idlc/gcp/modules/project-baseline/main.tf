data "google_project" "this" {
  project_id = var.project_id
}

locals {
  gh        = var.github
  pool_name = "projects/${data.google_project.this.number}/locations/global/workloadIdentityPools/${local.gh.pool_id}"

  # Subjects in the repository's customized format (include_claim_keys = [repo, context,
  # job_workflow_ref]), the same strings as src/auth/oidc-subjects.ts and the AWS github-oidc
  # module: only workflow files loaded from the default branch are named, never a file a pull
  # request adds (its job_workflow_ref ends in @refs/pull/<n>/merge).
  workflow_ref = { for k, path in {
    plan  = local.gh.plan_workflow_path
    apply = local.gh.apply_workflow_path
    drift = local.gh.drift_workflow_path
  } : k => "${local.gh.repository}/${path}@refs/heads/${local.gh.default_branch}" if path != null }
  plan_subs = concat(
    [local.gh.plan_review
      ? "repo:${local.gh.repository}:environment:${var.team}-${var.env}-plan:job_workflow_ref:${local.workflow_ref.plan}"
      : "repo:${local.gh.repository}:pull_request:job_workflow_ref:${local.workflow_ref.plan}"
    ],
    [for path in local.gh.drift_workflow_path == null ? [] : [local.gh.drift_workflow_path] :
      "repo:${local.gh.repository}:ref:refs/heads/${local.gh.default_branch}:job_workflow_ref:${local.gh.repository}/${path}@refs/heads/${local.gh.default_branch}"
    ],
    local.gh.plan_extra_subjects,
  )
  apply_subs = [for e in local.gh.environments : "repo:${local.gh.repository}:environment:${e}:job_workflow_ref:${local.workflow_ref.apply}"]

  # Workflow files whose tokens may be exchanged at all: the default branch's plan, drift and
  # apply workflows (and those of plan_extra_subjects).
  exchange_workflow_refs = distinct(concat(
    values(local.workflow_ref),
    [for s in local.gh.plan_extra_subjects : split(":job_workflow_ref:", s)[1]],
  ))

  # CEL, checked at token exchange before any IAM binding: this repository (and owner, if
  # pinned) and one of the default branch's idlc workflow files. Which account a token may use
  # is decided by the bindings below, on the exact subject.
  attribute_condition = join(" && ", compact([
    "assertion.repository == '${local.gh.repository}'",
    local.gh.repository_owner_id == null ? "" : "assertion.repository_owner_id == '${local.gh.repository_owner_id}'",
    "assertion.job_workflow_ref in [${join(", ", [for r in local.exchange_workflow_refs : "'${r}'"])}]",
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
  #checkov:skip=CKV_GCP_125:The condition (repository pinned, default-branch workflow files only) is rendered from validated variables by join/for expressions checkov cannot evaluate; tests/project_baseline.tftest.hcl asserts it
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = local.gh.provider_id
  display_name                       = "GitHub OIDC"
  description                        = "Default-branch idlc workflows of ${local.gh.repository}"

  # attribute.sub carries the whole customized subject (context + job_workflow_ref) for the
  # principalSet bindings: custom attributes have no length limit of their own, while
  # google.subject must fit 127 characters, which a customized sub of a long repository name
  # exceeds. The subject names the workflow run instead (audit logs lead to the run).
  attribute_mapping = {
    "google.subject"                = "'github:' + assertion.repository_id + ':' + assertion.run_id + ':' + assertion.run_attempt"
    "attribute.sub"                 = "assertion.sub"
    "attribute.repository"          = "assertion.repository"
    "attribute.repository_owner_id" = "assertion.repository_owner_id"
    "attribute.job_workflow_ref"    = "assertion.job_workflow_ref"
    "attribute.ref"                 = "assertion.ref"
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
  for_each = toset(local.plan_subs)

  service_account_id = google_service_account.plan.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${local.pool_name}/attribute.sub/${each.value}"
}

resource "google_service_account_iam_member" "apply_wif" {
  for_each = toset(local.apply_subs)

  service_account_id = google_service_account.apply.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${local.pool_name}/attribute.sub/${each.value}"
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
