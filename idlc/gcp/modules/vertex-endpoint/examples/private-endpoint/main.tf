provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    team          = "assistant"
    env           = "dev"
    "cost-center" = "cc-2200"
    "managed-by"  = "idlc"
  }
}

# An endpoint that the assistant's training pipeline deploys fine-tuned models to; only the chat
# API's service account may call it.
module "chat_endpoint" {
  source = "../.."

  project_id   = var.project_id
  region       = var.region
  display_name = "assistant-dev-chat"
  endpoint_id  = "1001"

  invoker_members = ["serviceAccount:chat-api@${var.project_id}.iam.gserviceaccount.com"]
  labels          = { app = "chat" }
}
