data "aws_region" "current" {}
data "aws_partition" "current" {}

# The ECS-optimized Amazon Linux 2023 GPU AMI (NVIDIA driver, container toolkit, ECS agent).
data "aws_ssm_parameter" "gpu_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
}

locals {
  region      = data.aws_region.current.region
  partition   = data.aws_partition.current.partition
  kms_key_arn = var.kms_key_arn != null ? var.kms_key_arn : module.kms[0].key_arn
  c           = var.container

  scratch_volumes = { for i, p in local.c.scratch_paths : "scratch-${i}" => p }

  container_definition = merge(
    {
      name      = "app"
      image     = local.c.image
      essential = true
      cpu       = local.c.cpu
      memory    = local.c.memory_mib

      # GPUs are a task resource requirement: ECS pins whole GPUs to the container.
      resourceRequirements   = [{ type = "GPU", value = tostring(local.c.gpus) }]
      portMappings           = [{ containerPort = local.c.port, protocol = "tcp" }]
      environment            = [for k in sort(keys(local.c.environment)) : { name = k, value = local.c.environment[k] }]
      readonlyRootFilesystem = true
      privileged             = false
      user                   = local.c.user
      mountPoints            = [for v, p in local.scratch_volumes : { sourceVolume = v, containerPath = p, readOnly = false }]
      linuxParameters        = { initProcessEnabled = true }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "app"
        }
      }
    },
    local.c.command == null ? {} : { command = local.c.command },
    local.c.health_check_cmd == null ? {} : {
      healthCheck = { command = local.c.health_check_cmd, interval = 30, timeout = 5, retries = 3, startPeriod = 300 }
    },
  )
}

module "kms" {
  source = "../kms-key"
  count  = var.kms_key_arn == null ? 1 : 0

  name               = "${var.name}-ecs"
  description        = "Encrypts the logs of ECS service ${var.name}"
  service_principals = ["logs.${local.region}.amazonaws.com"]
  tags               = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/idlc/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn

  tags = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enhanced"
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# GPU capacity: Auto Scaling group on the GPU AMI, scaled by the ECS capacity provider to fit
# the tasks' GPU reservations (0 instances when no task runs, if capacity.min_size = 0).
# ---------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "instance_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name                 = "${var.name}-ecs-instance"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.instance_trust.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "instance" {
  for_each = toset([
    "service-role/AmazonEC2ContainerServiceforEC2Role",
    "AmazonSSMManagedInstanceCore",
  ])

  role       = aws_iam_role.instance.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_iam_instance_profile" "instance" {
  name = "${var.name}-ecs-instance"
  role = aws_iam_role.instance.name

  tags = var.tags
}

resource "aws_security_group" "instances" {
  name        = "${var.name}-ecs-instances"
  description = "GPU container instances of ${var.name}: no inbound, outbound for the ECS agent and image pulls"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-ecs-instances" })
}

resource "aws_vpc_security_group_egress_rule" "instances_https" {
  security_group_id = aws_security_group.instances.id
  description       = "HTTPS to AWS APIs (ECS, ECR, S3, CloudWatch) through endpoints or NAT"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-"
  image_id               = data.aws_ssm_parameter.gpu_ami.insecure_value
  instance_type          = var.instance_type
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.instances.id]

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  user_data = base64encode(<<-EOT
    #!/bin/bash
    cat >> /etc/ecs/ecs.config <<'CFG'
    ECS_CLUSTER=${aws_ecs_cluster.this.name}
    ECS_ENABLE_GPU_SUPPORT=true
    ECS_AWSVPC_BLOCK_IMDS=true
    ECS_ENABLE_TASK_IAM_ROLE=true
    CFG
  EOT
  )

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.capacity.volume_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-gpu", "idlc:accelerator" = "nvidia" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = var.tags
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  name_prefix           = "${var.name}-"
  vpc_zone_identifier   = var.subnet_ids
  min_size              = var.capacity.min_size
  max_size              = var.capacity.max_size
  protect_from_scale_in = true

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  # The capacity provider owns the desired capacity.
  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_ecs_capacity_provider" "gpu" {
  name = "${var.name}-gpu"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.this.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 2
      instance_warmup_period    = 300
    }
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = [aws_ecs_capacity_provider.gpu.name]

  default_capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    weight            = 1
  }
}

# ---------------------------------------------------------------------------------------------
# Task and service
# ---------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "execution_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-ecs-execution"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.execution_trust.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.container_definition])

  dynamic "volume" {
    for_each = local.scratch_volumes
    content {
      name = volume.key
    }
  }

  tags = var.tags
}

resource "aws_security_group" "service" {
  name        = "${var.name}-service"
  description = "Tasks of ${var.name}: container port from the allowed sources only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-service" })
}

resource "aws_vpc_security_group_ingress_rule" "service_cidr" {
  for_each = toset(var.ingress_cidrs)

  security_group_id = aws_security_group.service.id
  description       = "Inference traffic from ${each.value}"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.container.port
  to_port           = var.container.port
}

resource "aws_vpc_security_group_ingress_rule" "service_sg" {
  for_each = toset(var.ingress_security_group_ids)

  security_group_id            = aws_security_group.service.id
  description                  = "Inference traffic from ${each.value}"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.container.port
  to_port                      = var.container.port
}

resource "aws_vpc_security_group_egress_rule" "service_https" {
  security_group_id = aws_security_group.service.id
  description       = "HTTPS to AWS APIs and model stores"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_ecs_service" "this" {
  name                   = var.name
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.this.arn
  desired_count          = var.desired_count
  enable_execute_command = false
  propagate_tags         = "SERVICE"

  # A GPU model server needs minutes to load weights before it is healthy.
  health_check_grace_period_seconds = var.target_group_arn == null ? null : 600

  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    weight            = 1
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.service.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # A rolling update on GPUs: start the new task before stopping the old one only if capacity
  # allows; 100/200 keeps serving during deploys.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  ordered_placement_strategy {
    type  = "binpack"
    field = "memory"
  }

  dynamic "load_balancer" {
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]
    content {
      target_group_arn = load_balancer.value
      container_name   = "app"
      container_port   = var.container.port
    }
  }

  tags = var.tags

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}
