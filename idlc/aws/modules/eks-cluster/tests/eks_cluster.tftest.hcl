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
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", latest_version = 1 }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:idlc-test", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/idlc-test" }
  }
  mock_resource "aws_eks_cluster" {
    defaults = { arn = "arn:aws:eks:eu-west-1:123456789012:cluster/platform-dev" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "100000000001" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                         = "platform-dev"
  kubernetes_version           = "1.33"
  subnet_ids                   = ["subnet-aaaa", "subnet-bbbb", "subnet-cccc"]
  cluster_admin_principal_arns = ["arn:aws:iam::100000000001:role/idlc-platform-dev-apply"]
  permissions_boundary_arn     = "arn:aws:iam::100000000001:policy/idlc-workload-boundary"
}

run "private_api_access_entries_and_encryption" {
  command = plan

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access == false && aws_eks_cluster.this.vpc_config[0].endpoint_private_access
    error_message = "The API endpoint must be private by default."
  }

  assert {
    condition     = aws_eks_cluster.this.access_config[0].authentication_mode == "API" && aws_eks_cluster.this.access_config[0].bootstrap_cluster_creator_admin_permissions == false
    error_message = "Access must be managed by access entries only, without an implicit creator admin."
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].resources == toset(["secrets"])
    error_message = "Kubernetes secrets must be envelope-encrypted with KMS."
  }

  assert {
    condition     = aws_eks_cluster.this.upgrade_policy[0].support_type == "STANDARD"
    error_message = "Extended support (6x control plane price) must be opt-in."
  }

  assert {
    condition     = aws_eks_access_policy_association.admin["arn:aws:iam::100000000001:role/idlc-platform-dev-apply"].access_scope[0].type == "cluster"
    error_message = "Cluster admins get a cluster-scoped access policy."
  }

  assert {
    condition     = contains(keys(aws_eks_addon.this), "eks-pod-identity-agent")
    error_message = "The Pod Identity agent add-on is required."
  }

  assert {
    condition     = aws_launch_template.system.metadata_options[0].http_tokens == "required" && aws_launch_template.system.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "Nodes must require IMDSv2 with hop limit 1 (pods cannot reach node credentials)."
  }
}

run "karpenter_is_the_default_gpu_path" {
  command = apply

  assert {
    condition     = length(aws_eks_node_group.gpu) == 0 && length(aws_iam_role.karpenter_controller) == 1
    error_message = "gpu.mode defaults to karpenter: no GPU node group, a controller role."
  }

  assert {
    condition     = aws_eks_access_entry.karpenter_node[0].type == "EC2_LINUX"
    error_message = "Karpenter nodes join through an EC2_LINUX access entry."
  }

  assert {
    condition     = aws_eks_pod_identity_association.karpenter[0].service_account == "karpenter" && aws_eks_pod_identity_association.karpenter[0].namespace == "kube-system"
    error_message = "The Karpenter controller gets its role through Pod Identity."
  }

  assert {
    condition     = strcontains(output.karpenter_gpu_manifests, "nvidia.com/gpu") && strcontains(output.karpenter_gpu_manifests, "EC2NodeClass")
    error_message = "The rendered manifests must hold a GPU-tainted NodePool and its EC2NodeClass."
  }

  assert {
    condition     = length(aws_cloudwatch_event_rule.karpenter) == 4
    error_message = "Spot interruption, rebalance, state change and health events must reach the queue."
  }
}

run "managed_node_group_gpu_path" {
  command = plan

  variables {
    gpu = { mode = "managed_node_group", ami_type = "BOTTLEROCKET_x86_64_NVIDIA", instance_types = ["g5.2xlarge"] }
  }

  assert {
    condition     = aws_eks_node_group.gpu[0].ami_type == "BOTTLEROCKET_x86_64_NVIDIA"
    error_message = "The GPU node group must use the NVIDIA AMI type."
  }

  assert {
    condition     = one(aws_eks_node_group.gpu[0].taint).key == "nvidia.com/gpu" && one(aws_eks_node_group.gpu[0].taint).effect == "NO_SCHEDULE"
    error_message = "GPU nodes must be tainted so that only GPU pods land there."
  }

  assert {
    condition     = aws_eks_node_group.gpu[0].scaling_config[0].min_size == 0
    error_message = "The GPU node group must scale from zero by default."
  }

  assert {
    condition     = aws_launch_template.gpu[0].block_device_mappings[0].device_name == "/dev/xvdb"
    error_message = "Bottlerocket keeps images on the data volume (xvdb)."
  }

  assert {
    condition     = length(aws_iam_role.karpenter_controller) == 0
    error_message = "No Karpenter resources in managed_node_group mode."
  }
}

run "rejects_non_nvidia_ami" {
  command = plan

  variables {
    gpu = { mode = "managed_node_group", ami_type = "AL2023_x86_64_STANDARD" }
  }

  expect_failures = [var.gpu]
}

run "rejects_non_gpu_instance_types" {
  command = plan

  variables {
    gpu = { instance_types = ["m7i.large"] }
  }

  expect_failures = [var.gpu]
}

run "rejects_world_open_api" {
  command = plan

  variables {
    endpoint_public_access = true
    public_access_cidrs    = ["0.0.0.0/0"]
  }

  expect_failures = [var.public_access_cidrs]
}

run "every_role_carries_the_permissions_boundary" {
  command = plan

  assert {
    condition     = aws_iam_role.cluster.permissions_boundary == var.permissions_boundary_arn && aws_iam_role.node.permissions_boundary == var.permissions_boundary_arn && alltrue([for r in aws_iam_role.karpenter_node : r.permissions_boundary == var.permissions_boundary_arn]) && alltrue([for r in aws_iam_role.karpenter_controller : r.permissions_boundary == var.permissions_boundary_arn])
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
