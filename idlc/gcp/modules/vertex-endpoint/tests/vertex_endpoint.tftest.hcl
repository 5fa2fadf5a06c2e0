mock_provider "google" {
  mock_resource "google_vertex_ai_endpoint_with_model_garden_deployment" {
    defaults = { endpoint = "4242424242", deployed_model_id = "1234" }
  }
}

variables {
  project_id   = "acme-assistant-dev"
  region       = "europe-west4"
  display_name = "assistant-dev-chat"
  endpoint_id  = "1001"
}

run "private_endpoint_with_logging" {
  command = plan

  variables {
    network                  = "projects/123456789012/global/networks/assistant-dev"
    request_response_logging = { bigquery_table = "bq://acme-assistant-dev.llm_logs.chat" }
    invoker_members          = ["serviceAccount:chat-api@acme-assistant-dev.iam.gserviceaccount.com"]
  }

  assert {
    condition     = google_vertex_ai_endpoint.this[0].name == "1001" && google_vertex_ai_endpoint.this[0].network == "projects/123456789012/global/networks/assistant-dev"
    error_message = "The endpoint must be private on the given network."
  }

  assert {
    condition     = one(google_vertex_ai_endpoint.this[0].predict_request_response_logging_config).sampling_rate == 0.1
    error_message = "Prediction logging must sample 10 % by default."
  }

  assert {
    condition     = google_vertex_ai_endpoint_iam_member.invokers["serviceAccount:chat-api@acme-assistant-dev.iam.gserviceaccount.com"].role == "roles/aiplatform.user"
    error_message = "Invokers must get roles/aiplatform.user on the endpoint only."
  }
}

run "model_garden_on_l4" {
  command = plan

  variables {
    mode         = "model_garden"
    endpoint_id  = null
    model_garden = { publisher_model_name = "publishers/google/models/gemma3@gemma-3-4b-it", accept_eula = true }
  }

  assert {
    condition     = length(google_vertex_ai_endpoint.this) == 0
    error_message = "No empty endpoint in model_garden mode."
  }

  assert {
    condition     = one(one(one(google_vertex_ai_endpoint_with_model_garden_deployment.this[0].deploy_config).dedicated_resources).machine_spec).accelerator_type == "NVIDIA_L4"
    error_message = "The model must be served on the requested GPU."
  }
}

run "endpoint_id_must_be_numeric" {
  command = plan

  variables {
    endpoint_id = "chat"
  }

  expect_failures = [var.endpoint_id]
}

run "model_garden_needs_exactly_one_model" {
  command = plan

  variables {
    mode         = "model_garden"
    endpoint_id  = null
    model_garden = { publisher_model_name = "publishers/google/models/gemma3@gemma-3-4b-it", hugging_face_model_id = "google/gemma-3-4b-it" }
  }

  expect_failures = [var.model_garden]
}

run "rejects_public_invokers" {
  command = plan

  variables {
    invoker_members = ["allUsers"]
  }

  expect_failures = [var.invoker_members]
}
