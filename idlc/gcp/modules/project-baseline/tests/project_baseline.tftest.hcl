mock_provider "google" {
  mock_data "google_project" {
    defaults = { number = "123456789012" }
  }
  mock_resource "google_service_account" {
    defaults = {
      name   = "projects/acme-assistant-dev/serviceAccounts/idlc-plan@acme-assistant-dev.iam.gserviceaccount.com"
      member = "serviceAccount:idlc-plan@acme-assistant-dev.iam.gserviceaccount.com"
    }
  }
}

variables {
  project_id = "acme-assistant-dev"
  team       = "assistant"
  env        = "dev"
  github = {
    repository   = "acme/idlc"
    environments = ["assistant-dev"]
  }
  state_bucket = "idlc-tfstate-assistant-acme-assistant-dev"
}

run "condition_restricts_repository_and_default_branch_workflows" {
  command = plan

  assert {
    condition     = google_iam_workload_identity_pool_provider.github.attribute_condition == "assertion.repository == 'acme/idlc' && assertion.job_workflow_ref in ['acme/idlc/.github/workflows/idlc-apply.yml@refs/heads/main', 'acme/idlc/.github/workflows/idlc-drift.yml@refs/heads/main', 'acme/idlc/.github/workflows/idlc-plan-run.yml@refs/heads/main']"
    error_message = "Token exchange must be restricted to the repository and to the default branch's plan-run, apply and drift workflow files."
  }

  assert {
    condition     = google_iam_workload_identity_pool_provider.github.attribute_mapping["attribute.sub"] == "assertion.sub" && strcontains(google_iam_workload_identity_pool_provider.github.attribute_mapping["google.subject"], "assertion.run_id")
    error_message = "attribute.sub must be the (customized) token subject the bindings name; google.subject names the run (127-character limit)."
  }

  assert {
    condition     = one(google_iam_workload_identity_pool_provider.github.oidc).issuer_uri == "https://token.actions.githubusercontent.com"
    error_message = "The provider must trust the GitHub Actions issuer."
  }
}

run "impersonation_is_bound_to_default_branch_workflow_subjects" {
  command = plan

  assert {
    condition = toset([for m in google_service_account_iam_member.plan_wif : m.member]) == toset([
      "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/attribute.sub/repo:acme/idlc:pull_request:job_workflow_ref:acme/idlc/.github/workflows/idlc-plan-run.yml@refs/heads/main",
      "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/attribute.sub/repo:acme/idlc:ref:refs/heads/main:job_workflow_ref:acme/idlc/.github/workflows/idlc-drift.yml@refs/heads/main",
    ])
    error_message = "The plan account is usable only by the plan-run workflow of pull requests and the drift workflow, both at the default branch."
  }

  assert {
    condition = [for m in google_service_account_iam_member.apply_wif : m.member] == [
      "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/attribute.sub/repo:acme/idlc:environment:assistant-dev:job_workflow_ref:acme/idlc/.github/workflows/idlc-apply.yml@refs/heads/main",
    ]
    error_message = "The apply account is usable only by the apply workflow of the default branch in environment <team>-<env>."
  }

  assert {
    condition     = alltrue([for m in concat(values(google_service_account_iam_member.plan_wif), values(google_service_account_iam_member.apply_wif)) : m.role == "roles/iam.workloadIdentityUser"])
    error_message = "Bindings grant workloadIdentityUser only."
  }
}

run "plan_review_replaces_the_pull_request_context" {
  command = plan

  variables {
    github = { repository = "acme/idlc", environments = ["assistant-dev"], plan_review = true }
  }

  assert {
    condition     = contains(keys(google_service_account_iam_member.plan_wif), "repo:acme/idlc:environment:assistant-dev-plan:job_workflow_ref:acme/idlc/.github/workflows/idlc-plan-run.yml@refs/heads/main") && !anytrue([for k in keys(google_service_account_iam_member.plan_wif) : startswith(k, "repo:acme/idlc:pull_request:")])
    error_message = "With plan_review the plan account trusts the <team>-<env>-plan environment, never plain pull_request."
  }
}

run "plans_are_created_once_never_replaced_or_deleted" {
  command = plan

  assert {
    condition     = google_storage_bucket_iam_member.plan_state_locks[0].role == "roles/storage.objectUser" && google_storage_bucket_iam_member.plan_state_locks[0].condition[0].expression == "resource.name.startsWith('projects/_/buckets/idlc-tfstate-assistant-acme-assistant-dev/objects/') && resource.name.endsWith('.tflock') && !resource.name.startsWith('projects/_/buckets/idlc-tfstate-assistant-acme-assistant-dev/objects/plans/')"
    error_message = "The plan account may create and delete lock files only, none under the plans folder."
  }

  assert {
    condition     = google_storage_bucket_iam_member.plan_bundles[0].role == "roles/storage.objectCreator" && google_storage_bucket_iam_member.plan_bundles[0].condition[0].expression == "resource.name.startsWith('projects/_/buckets/idlc-tfstate-assistant-acme-assistant-dev/objects/plans/gcp/assistant/dev/') && resource.name.endsWith('.tar')"
    error_message = "The plan account may only create (never replace or delete) bundles of its own env."
  }

  assert {
    condition     = google_storage_bucket_iam_member.apply_records[0].role == "roles/storage.objectCreator" && google_storage_bucket_iam_member.apply_records[0].condition[0].expression == "resource.name.startsWith('projects/_/buckets/idlc-tfstate-assistant-acme-assistant-dev/objects/plans/gcp/assistant/dev/') && resource.name.endsWith('.json')"
    error_message = "The apply account may only create (never replace or delete) claims and results of its env."
  }

  assert {
    condition     = google_storage_bucket_iam_member.apply_state[0].role == "roles/storage.objectUser" && strcontains(google_storage_bucket_iam_member.apply_state[0].condition[0].expression, "!resource.name.startsWith('projects/_/buckets/idlc-tfstate-assistant-acme-assistant-dev/objects/plans/')")
    error_message = "The apply account writes state and locks, nothing under the plans folder."
  }

  assert {
    condition     = one(google_project_iam_member.apply["roles/storage.admin"].condition).expression == "resource.name != 'projects/_/buckets/idlc-tfstate-assistant-acme-assistant-dev' && !resource.name.startsWith('projects/_/buckets/idlc-tfstate-assistant-acme-assistant-dev/objects/')" && length(google_project_iam_member.apply["roles/container.admin"].condition) == 0
    error_message = "Project-level storage roles of the apply account must exclude the state bucket (other roles stay unconditioned)."
  }
}

run "owner_pinning_is_added_to_the_condition" {
  command = plan

  variables {
    github = { repository = "acme/idlc", environments = ["assistant-dev"], repository_owner_id = "1234567" }
  }

  assert {
    condition     = strcontains(google_iam_workload_identity_pool_provider.github.attribute_condition, "assertion.repository_owner_id == '1234567'")
    error_message = "The owner ID must be part of the condition when given."
  }
}

run "rejects_extra_subjects_a_pull_request_could_produce" {
  command = plan

  variables {
    github = {
      repository          = "acme/idlc"
      environments        = ["assistant-dev"]
      plan_extra_subjects = ["repo:acme/idlc:pull_request:job_workflow_ref:acme/idlc/.github/workflows/evil.yml@refs/pull/7/merge"]
    }
  }

  expect_failures = [var.github]
}

run "rejects_wildcard_repository" {
  command = plan

  variables {
    github = { repository = "acme/*", environments = ["assistant-dev"] }
  }

  expect_failures = [var.github]
}

run "rejects_owner_for_apply" {
  command = plan

  variables {
    apply_roles = ["roles/owner"]
  }

  expect_failures = [var.apply_roles]
}

run "service_accounts_follow_registry_naming" {
  command = plan

  assert {
    condition     = google_service_account.plan.account_id == "idlc-assistant-dev-plan" && google_service_account.apply.account_id == "idlc-assistant-dev-apply"
    error_message = "Service accounts must be named as naming.gcp in idlc.yaml (idlc-<team>-<env>-plan|apply)."
  }
}

run "rejects_too_long_service_account_ids" {
  command = plan

  variables {
    team = "a-very-long-team-name"
    env  = "staging"
  }

  expect_failures = [var.env]
}

run "rejects_invalid_labels" {
  command = plan

  variables {
    labels = { "Cost-Center" = "CC 2200" }
  }

  expect_failures = [var.labels]
}
