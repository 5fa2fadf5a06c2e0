mock_provider "aws" {
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/idlc/test" }
  }
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", latest_version = 1 }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "300000000001" }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0" }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::300000000001:instance-profile/assistant-dev-embedder-ecs-instance" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::300000000001:role/assistant-dev-embedder-ecs-execution" }
  }
  mock_resource "aws_autoscaling_group" {
    defaults = { arn = "arn:aws:autoscaling:eu-west-1:300000000001:autoScalingGroup:12345678-1234-1234-1234-123456789012:autoScalingGroupName/assistant-dev-embedder" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:300000000001:task-definition/assistant-dev-embedder:1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name       = "assistant-dev-embedder"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-aaaa", "subnet-bbbb"]
  container = {
    image = "300000000001.dkr.ecr.eu-west-1.amazonaws.com/assistant/tei@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    gpus  = 1
  }
  ingress_cidrs            = ["10.30.0.0/16"]
  permissions_boundary_arn = "arn:aws:iam::100000000001:policy/idlc-workload-boundary"
}

run "gpu_resource_requirement_and_hardening" {
  command = apply

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].resourceRequirements == [{ type = "GPU", value = "1" }]
    error_message = "The container must reserve its GPUs through resourceRequirements."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].readonlyRootFilesystem && !jsondecode(aws_ecs_task_definition.this.container_definitions)[0].privileged
    error_message = "Containers run with a read-only root filesystem and unprivileged."
  }

  assert {
    condition     = aws_ecs_task_definition.this.network_mode == "awsvpc" && toset(aws_ecs_task_definition.this.requires_compatibilities) == toset(["EC2"])
    error_message = "GPU tasks run on EC2 capacity in awsvpc mode."
  }
}

run "capacity_provider_manages_gpu_instances" {
  command = plan

  assert {
    condition     = aws_ecs_capacity_provider.gpu.auto_scaling_group_provider[0].managed_scaling[0].status == "ENABLED"
    error_message = "The capacity provider must scale the GPU instances."
  }

  assert {
    condition     = aws_autoscaling_group.this.min_size == 0
    error_message = "No GPU instance should run without tasks by default."
  }

  assert {
    condition     = one(aws_ecs_service.this.capacity_provider_strategy).capacity_provider == "assistant-dev-embedder-gpu"
    error_message = "The service must place tasks on the GPU capacity provider."
  }

  assert {
    condition     = aws_launch_template.this.image_id == "ami-0123456789abcdef0" && aws_launch_template.this.metadata_options[0].http_tokens == "required"
    error_message = "Instances use the ECS GPU AMI with IMDSv2 required."
  }

  assert {
    condition     = aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "Failed deployments must roll back."
  }
}

run "rejects_world_open_ingress" {
  command = plan

  variables {
    ingress_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.ingress_cidrs]
}

run "rejects_cpu_instance_type" {
  command = plan

  variables {
    instance_type = "c7i.xlarge"
  }

  expect_failures = [var.instance_type]
}

run "rejects_zero_gpus" {
  command = plan

  variables {
    container = { image = "public.ecr.aws/example/app:1", gpus = 0 }
  }

  expect_failures = [var.container]
}

run "every_role_carries_the_permissions_boundary" {
  command = plan

  assert {
    condition     = aws_iam_role.instance.permissions_boundary == var.permissions_boundary_arn && aws_iam_role.execution.permissions_boundary == var.permissions_boundary_arn
    error_message = "Every role the module creates must carry the permissions boundary: the team's apply role may create <team>-* roles only with it."
  }
}

run "rejects_a_boundary_that_is_not_a_policy_arn" {
  command = plan

  variables {
    permissions_boundary_arn = "idlc-workload-boundary"
  }

  expect_failures = [var.permissions_boundary_arn]
}
