output "cluster_name" {
  description = "Name of the ECS cluster (ClusterName dimension of Container Insights metrics)."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "Name of the ECS service (ServiceName dimension)."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "ARN of the current task definition revision."
  value       = aws_ecs_task_definition.this.arn
}

output "service_security_group_id" {
  description = "Security group of the tasks."
  value       = aws_security_group.service.id
}

output "autoscaling_group_name" {
  description = "Auto Scaling group of the GPU instances (AutoScalingGroupName dimension)."
  value       = aws_autoscaling_group.this.name
}

output "log_group_name" {
  description = "CloudWatch log group of the containers."
  value       = aws_cloudwatch_log_group.this.name
}
