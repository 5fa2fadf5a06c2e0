locals {
  name = "${var.idlc.team}-${var.idlc.env}-cluster"
}

output "name" {
  description = "Name prefix used by this stack's resources."
  value       = local.name
}
