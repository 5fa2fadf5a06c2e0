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

run "condition_restricts_repository_event_and_ref" {
  command = plan

  assert {
    condition     = startswith(google_iam_workload_identity_pool_provider.github.attribute_condition, "assertion.repository == 'acme/idlc' && ")
    error_message = "Token exchange must be restricted to the repository."
  }

  assert {
    condition     = strcontains(google_iam_workload_identity_pool_provider.github.attribute_condition, "((assertion.sub == 'repo:acme/idlc:environment:assistant-dev') && assertion.ref == 'refs/heads/main')")
    error_message = "Environment (apply) tokens must come from the default branch."
  }

  assert {
    condition     = strcontains(google_iam_workload_identity_pool_provider.github.attribute_condition, "assertion.sub == 'repo:acme/idlc:pull_request' || ")
    error_message = "Pull request tokens (plan) must be accepted."
  }

  assert {
    condition     = google_iam_workload_identity_pool_provider.github.attribute_mapping["google.subject"] == "assertion.sub"
    error_message = "google.subject must be the token subject."
  }

  assert {
    condition     = one(google_iam_workload_identity_pool_provider.github.oidc).issuer_uri == "https://token.actions.githubusercontent.com"
    error_message = "The provider must trust the GitHub Actions issuer."
  }
}

run "impersonation_is_bound_to_exact_subjects" {
  command = plan

  assert {
    condition     = google_service_account_iam_member.plan_wif["repo:acme/idlc:pull_request"].member == "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/repo:acme/idlc:pull_request"
    error_message = "The plan account must be usable by pull_request tokens of the repository only."
  }

  assert {
    condition     = google_service_account_iam_member.apply_wif["repo:acme/idlc:environment:assistant-dev"].role == "roles/iam.workloadIdentityUser"
    error_message = "The apply account must be usable by the environment's jobs."
  }

  assert {
    condition     = length(google_service_account_iam_member.apply_wif) == 1 && length(google_service_account_iam_member.plan_wif) == 1
    error_message = "No other subject may impersonate the accounts."
  }
}

run "plan_account_writes_only_locks_and_plans" {
  command = plan

  assert {
    condition     = strcontains(google_storage_bucket_iam_member.plan_state_locks[0].condition[0].expression, "resource.name.endsWith('.tflock')")
    error_message = "The plan account may write lock files only (and saved plans)."
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
