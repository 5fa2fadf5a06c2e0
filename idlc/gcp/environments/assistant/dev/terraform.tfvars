github_repository = "acme/idlc"
state_bucket      = "idlc-tfstate-assistant-acme-assistant-dev"
chat_endpoint_id  = "1001"
chat_invokers     = ["serviceAccount:chat-api@acme-assistant-dev.iam.gserviceaccount.com"]
