output "vpc_id" {
  description = "ID of the platform VPC (tagged Name = <team>-<env>)."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets (tagged idlc:tier = private)."
  value       = module.network.private_subnet_ids
}

output "alarm_topic_arn" {
  description = "Alarm topic of the platform account."
  value       = module.baseline.alarm_topic_arn
}
