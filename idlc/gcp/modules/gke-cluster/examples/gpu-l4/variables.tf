variable "project_id" {
  description = "Project to bootstrap."
  type        = string
  default     = "acme-assistant-dev"
}

variable "region" {
  description = "Default region."
  type        = string
  default     = "europe-west4"
}
