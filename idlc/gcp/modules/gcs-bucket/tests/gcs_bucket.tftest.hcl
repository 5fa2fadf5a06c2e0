mock_provider "google" {}

variables {
  name       = "acme-assistant-dev-training-data"
  project_id = "acme-assistant-dev"
  location   = "europe-west4"
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = google_storage_bucket.this.uniform_bucket_level_access && google_storage_bucket.this.public_access_prevention == "enforced"
    error_message = "Uniform access and enforced public access prevention are required."
  }

  assert {
    condition     = one(google_storage_bucket.this.versioning).enabled
    error_message = "Versioning must be on by default."
  }

  assert {
    condition     = google_storage_bucket.this.force_destroy == false
    error_message = "force_destroy must default to false."
  }

  assert {
    condition     = length(google_storage_bucket.this.lifecycle_rule) == 2
    error_message = "Incomplete uploads and noncurrent versions must be cleaned up."
  }
}

run "cmek_and_lifecycle" {
  command = plan

  variables {
    kms_key_name    = "projects/acme-assistant-dev/locations/europe-west4/keyRings/idlc/cryptoKeys/data"
    lifecycle_rules = [{ prefix = "raw/", transition_after_days = 30, storage_class = "COLDLINE" }]
  }

  assert {
    condition     = one(google_storage_bucket.this.encryption).default_kms_key_name == "projects/acme-assistant-dev/locations/europe-west4/keyRings/idlc/cryptoKeys/data"
    error_message = "The CMEK must be the default key."
  }

  assert {
    condition     = length(google_storage_bucket.this.lifecycle_rule) == 3
    error_message = "The transition rule must be added."
  }
}

run "rejects_public_members" {
  command = plan

  variables {
    iam_members = { "roles/storage.objectViewer" = ["allUsers"] }
  }

  expect_failures = [var.iam_members]
}

run "rejects_google_in_name" {
  command = plan

  variables {
    name = "my-google-bucket"
  }

  expect_failures = [var.name]
}
