output "role_arn" {
  description = "ARN of the role (for Pod Identity associations, SageMaker models, ECS task definitions)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}
