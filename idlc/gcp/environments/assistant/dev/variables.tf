variable "idlc" {
  description = "Injected by idlc from the platform registry (idlc.yaml); never set by hand."
  type = object({
    team        = string
    env         = string
    project     = string
    region      = string
    cost_center = string
    owner       = string
    stack       = string
  })
}

variable "github_repository" {
  description = "The idlc repository (ORG/REPO) whose workflows plan and apply this project."
  type        = string
}

variable "state_bucket" {
  description = "The team's GCS state bucket (state.gcs_bucket in idlc.yaml)."
  type        = string
}

variable "chat_endpoint_id" {
  description = "Stable numeric ID of the chat endpoint."
  type        = string
}

variable "chat_invokers" {
  description = "Members allowed to call the chat endpoint."
  type        = list(string)
  default     = []
}
