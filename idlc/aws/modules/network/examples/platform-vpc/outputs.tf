output "vpc_id" {
  description = "ID of the example VPC."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets of the example VPC."
  value       = module.network.private_subnet_ids
}
