output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability zones used, in subnet order."
  value       = local.azs
}

output "private_subnet_ids" {
  description = "Private subnet IDs (one per AZ): EKS nodes, SageMaker VPC config, ECS tasks, endpoints."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnet IDs (one per AZ): NAT gateways and internet-facing load balancers only."
  value       = aws_subnet.public[*].id
}

output "private_route_table_ids" {
  description = "Route tables of the private subnets."
  value       = aws_route_table.private[*].id
}

output "endpoint_security_group_id" {
  description = "Security group of the interface endpoints."
  value       = aws_security_group.endpoints.id
}

output "interface_endpoint_ids" {
  description = "Interface endpoint ID per service."
  value       = { for k, e in aws_vpc_endpoint.interface : k => e.id }
}

output "flow_log_group_name" {
  description = "CloudWatch log group of the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways (for allow-lists of external model APIs)."
  value       = aws_eip.nat[*].public_ip
}
