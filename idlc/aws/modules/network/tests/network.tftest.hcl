mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/idlc-test" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/idlc/test" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "100000000001" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                     = "platform-dev"
  cidr_block               = "10.20.0.0/16"
  eks_cluster_names        = ["platform-dev"]
  permissions_boundary_arn = "arn:aws:iam::100000000001:policy/idlc-workload-boundary"
}

run "subnets_do_not_overlap" {
  command = plan

  assert {
    condition     = [for s in aws_subnet.private : s.cidr_block] == ["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"]
    error_message = "Private subnets must be /20s from the start of the VPC."
  }

  assert {
    condition     = [for s in aws_subnet.public : s.cidr_block] == ["10.20.48.0/24", "10.20.49.0/24", "10.20.50.0/24"]
    error_message = "Public subnets must be /24s after the private ones."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "Nothing gets a public IP by default."
  }
}

run "single_nat_by_default_and_required_endpoints" {
  command = plan

  assert {
    condition     = length(aws_nat_gateway.this) == 1
    error_message = "Dev defaults to one NAT gateway."
  }

  assert {
    condition     = alltrue([for s in ["ecr.api", "ecr.dkr", "bedrock-runtime", "sagemaker.runtime"] : contains(keys(aws_vpc_endpoint.interface), s)])
    error_message = "ECR, Bedrock and SageMaker runtime endpoints are required by default."
  }

  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3.service_name == "com.amazonaws.eu-west-1.s3"
    error_message = "S3 must use the free gateway endpoint."
  }

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL"
    error_message = "Flow logs must capture all traffic."
  }

  assert {
    condition     = aws_subnet.private[0].tags["karpenter.sh/discovery"] == "platform-dev" && aws_subnet.private[0].tags["kubernetes.io/cluster/platform-dev"] == "shared"
    error_message = "Private subnets must carry the EKS/Karpenter discovery tags."
  }
}

run "per_az_nat_for_prod" {
  command = plan

  variables {
    nat_gateway_mode = "per-az"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3
    error_message = "per-az must create one NAT gateway per AZ."
  }
}

run "no_egress_mode" {
  command = plan

  variables {
    nat_gateway_mode = "none"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_internet_gateway.this) == 0 && length(aws_route.private_nat) == 0
    error_message = "none must not create any internet path."
  }
}

run "rejects_too_small_vpc" {
  command = plan

  variables {
    cidr_block = "10.20.0.0/24"
  }

  expect_failures = [var.cidr_block]
}

run "rejects_unknown_endpoint" {
  command = plan

  variables {
    interface_endpoints = ["ecr.api", "not-a-service"]
  }

  expect_failures = [var.interface_endpoints]
}

run "every_role_carries_the_permissions_boundary" {
  command = plan

  assert {
    condition     = aws_iam_role.flow_logs.permissions_boundary == var.permissions_boundary_arn
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
