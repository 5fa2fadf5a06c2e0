locals {
  name = "${var.idlc.team}-${var.idlc.env}"
}

output "name" {
  description = "Name prefix used by this stack's resources."
  value       = local.name
}
