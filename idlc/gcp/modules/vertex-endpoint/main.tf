locals {
  endpoint_mode = var.mode == "endpoint"
  garden        = var.mode == "model_garden" ? var.model_garden : null

  endpoint_id = local.endpoint_mode ? google_vertex_ai_endpoint.this[0].name : google_vertex_ai_endpoint_with_model_garden_deployment.this[0].endpoint
}

resource "google_vertex_ai_endpoint" "this" {
  count = local.endpoint_mode ? 1 : 0

  name                       = var.endpoint_id
  project                    = var.project_id
  location                   = var.region
  region                     = var.region
  display_name               = var.display_name
  description                = "idlc endpoint ${var.display_name}"
  network                    = var.network
  dedicated_endpoint_enabled = var.dedicated_endpoint_enabled
  labels                     = var.labels

  dynamic "encryption_spec" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      kms_key_name = encryption_spec.value
    }
  }

  dynamic "predict_request_response_logging_config" {
    for_each = var.request_response_logging == null ? [] : [var.request_response_logging]
    content {
      enabled       = true
      sampling_rate = predict_request_response_logging_config.value.sampling_rate

      bigquery_destination {
        output_uri = predict_request_response_logging_config.value.bigquery_table
      }
    }
  }
}

resource "google_vertex_ai_endpoint_with_model_garden_deployment" "this" {
  count = local.garden == null ? 0 : 1

  project               = var.project_id
  location              = var.region
  publisher_model_name  = local.garden.publisher_model_name
  hugging_face_model_id = local.garden.hugging_face_model_id

  model_config {
    accept_eula = local.garden.accept_eula
  }

  endpoint_config {
    endpoint_display_name = var.display_name
  }

  deploy_config {
    dedicated_resources {
      machine_spec {
        machine_type      = local.garden.machine_type
        accelerator_type  = local.garden.accelerator_type
        accelerator_count = local.garden.accelerator_count
      }
      min_replica_count = local.garden.min_replica_count
      max_replica_count = local.garden.max_replica_count
    }
  }
}

resource "google_vertex_ai_endpoint_iam_member" "invokers" {
  for_each = toset(var.invoker_members)

  project  = var.project_id
  location = var.region
  endpoint = local.endpoint_id
  role     = "roles/aiplatform.user"
  member   = each.value
}
