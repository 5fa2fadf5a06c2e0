# Karpenter GPU capacity path (gpu.mode = "karpenter"). Terraform creates the AWS side - the
# controller role (EKS Pod Identity), the node role and its access entry, the interruption queue
# and its EventBridge rules. The Karpenter chart and the NodePool/EC2NodeClass are Kubernetes
# objects: they are applied by Argo CD from sdlc/platform, the manifests rendered below.

locals {
  cluster_arn         = "arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${var.name}"
  karpenter_namespace = "kube-system"
  karpenter_sa        = "karpenter"

  interruption_events = {
    spot-interruption = { source = ["aws.ec2"], detail-type = ["EC2 Spot Instance Interruption Warning"] }
    rebalance         = { source = ["aws.ec2"], detail-type = ["EC2 Instance Rebalance Recommendation"] }
    instance-state    = { source = ["aws.ec2"], detail-type = ["EC2 Instance State-change Notification"] }
    scheduled-change  = { source = ["aws.health"], detail-type = ["AWS Health Event"] }
  }

  # Karpenter v1 API objects. The NodePool removes empty or underused GPU nodes after
  # gpu.idle_minutes and caps the pool at gpu.max_gpus GPUs: the cost guard on the cluster side.
  karpenter_nodepool = {
    apiVersion = "karpenter.sh/v1"
    kind       = "NodePool"
    metadata   = { name = "gpu" }
    spec = {
      template = {
        metadata = { labels = { "idlc.io/pool" = "gpu", "idlc.io/accelerator" = "nvidia" } }
        spec = {
          nodeClassRef = { group = "karpenter.k8s.aws", kind = "EC2NodeClass", name = "gpu" }
          requirements = [
            { key = "node.kubernetes.io/instance-type", operator = "In", values = var.gpu.instance_types },
            { key = "karpenter.sh/capacity-type", operator = "In", values = [var.gpu.capacity_type == "SPOT" ? "spot" : "on-demand"] },
          ]
          taints      = [{ key = local.gpu_taint.key, value = local.gpu_taint.value, effect = "NoSchedule" }]
          expireAfter = "720h"
        }
      }
      limits = { "nvidia.com/gpu" = var.gpu.max_gpus }
      disruption = {
        consolidationPolicy = "WhenEmptyOrUnderutilized"
        consolidateAfter    = "${var.gpu.idle_minutes}m"
      }
    }
  }

  karpenter_nodeclass = {
    apiVersion = "karpenter.k8s.aws/v1"
    kind       = "EC2NodeClass"
    metadata   = { name = "gpu" }
    spec = {
      role                       = "${var.name}-karpenter-node"
      amiSelectorTerms           = [{ alias = var.gpu.karpenter_ami }]
      subnetSelectorTerms        = [{ tags = { "karpenter.sh/discovery" = var.name } }]
      securityGroupSelectorTerms = [{ tags = { "karpenter.sh/discovery" = var.name } }]
      metadataOptions            = { httpEndpoint = "enabled", httpTokens = "required", httpPutResponseHopLimit = 1 }
      blockDeviceMappings = [{
        deviceName = startswith(var.gpu.karpenter_ami, "bottlerocket") ? "/dev/xvdb" : "/dev/xvda"
        ebs        = { volumeSize = "${var.gpu.disk_size_gb}Gi", volumeType = "gp3", encrypted = true, deleteOnTermination = true }
      }]
      tags = merge(var.tags, { "idlc:accelerator" = "nvidia" })
    }
  }
}

resource "aws_iam_role" "karpenter_node" {
  count = local.karpenter ? 1 : 0

  name                 = "${var.name}-karpenter-node"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.node_trust.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "karpenter_node" {
  for_each = local.karpenter ? toset(["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"]) : toset([])

  role       = aws_iam_role.karpenter_node[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

# Nodes launched by Karpenter join through an EC2_LINUX access entry (no aws-auth ConfigMap).
resource "aws_eks_access_entry" "karpenter_node" {
  count = local.karpenter ? 1 : 0

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_iam_role.karpenter_node[0].arn
  type          = "EC2_LINUX"

  tags = var.tags
}

# Karpenter finds the cluster security group by this tag.
resource "aws_ec2_tag" "cluster_sg_discovery" {
  count = local.karpenter ? 1 : 0

  resource_id = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  key         = "karpenter.sh/discovery"
  value       = var.name
}

resource "aws_sqs_queue" "karpenter_interruption" {
  count = local.karpenter ? 1 : 0

  name                      = "${var.name}-karpenter-interruption"
  message_retention_seconds = 300
  sqs_managed_sse_enabled   = true

  tags = var.tags
}

data "aws_iam_policy_document" "karpenter_queue" {
  count = local.karpenter ? 1 : 0

  statement {
    sid       = "EventBridgeAndSqs"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.karpenter_interruption[0].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "sqs.amazonaws.com"]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.karpenter_interruption[0].arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "karpenter_interruption" {
  count = local.karpenter ? 1 : 0

  queue_url = aws_sqs_queue.karpenter_interruption[0].url
  policy    = data.aws_iam_policy_document.karpenter_queue[0].json
}

resource "aws_cloudwatch_event_rule" "karpenter" {
  for_each = local.karpenter ? local.interruption_events : {}

  name          = "${var.name}-karpenter-${each.key}"
  description   = "Karpenter interruption handling for ${var.name}: ${each.key}"
  event_pattern = jsonencode(each.value)

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "karpenter" {
  for_each = local.karpenter ? local.interruption_events : {}

  rule      = aws_cloudwatch_event_rule.karpenter[each.key].name
  target_id = "karpenter-interruption-queue"
  arn       = aws_sqs_queue.karpenter_interruption[0].arn
}

data "aws_iam_policy_document" "karpenter_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# The Karpenter v1 controller policy, scoped to this cluster by the tags Karpenter sets on
# everything it creates (kubernetes.io/cluster/<name> = owned, karpenter.sh/nodepool).
data "aws_iam_policy_document" "karpenter_controller" {
  count = local.karpenter ? 1 : 0

  #checkov:skip=CKV_AWS_356:Describe* and pricing:GetProducts do not support resource-level permissions; limited to this region by aws:RequestedRegion
  #checkov:skip=CKV_AWS_111:Every write is scoped by the cluster-owned resource and request tags Karpenter sets
  #checkov:skip=CKV_AWS_109:Instance profile and PassRole permissions are limited to this cluster's tags and its node role

  statement {
    sid     = "AllowScopedEC2InstanceAccessActions"
    actions = ["ec2:RunInstances", "ec2:CreateFleet"]
    resources = [
      "arn:${local.partition}:ec2:${local.region}::image/*",
      "arn:${local.partition}:ec2:${local.region}::snapshot/*",
      "arn:${local.partition}:ec2:${local.region}:*:security-group/*",
      "arn:${local.partition}:ec2:${local.region}:*:subnet/*",
      "arn:${local.partition}:ec2:${local.region}:*:capacity-reservation/*",
    ]
  }

  statement {
    sid       = "AllowScopedEC2LaunchTemplateAccessActions"
    actions   = ["ec2:RunInstances", "ec2:CreateFleet"]
    resources = ["arn:${local.partition}:ec2:${local.region}:*:launch-template/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  statement {
    sid     = "AllowScopedEC2InstanceActionsWithTags"
    actions = ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"]
    resources = [for t in ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"] :
      "arn:${local.partition}:ec2:${local.region}:*:${t}/*"
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.name]
    }

    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  statement {
    sid     = "AllowScopedResourceCreationTagging"
    actions = ["ec2:CreateTags"]
    resources = [for t in ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"] :
      "arn:${local.partition}:ec2:${local.region}:*:${t}/*"
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.name]
    }

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  statement {
    sid       = "AllowScopedResourceTagging"
    actions   = ["ec2:CreateTags"]
    resources = ["arn:${local.partition}:ec2:${local.region}:*:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.sh/nodepool"
      values   = ["*"]
    }

    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.name]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
    }
  }

  statement {
    sid     = "AllowScopedDeletion"
    actions = ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"]
    resources = [
      "arn:${local.partition}:ec2:${local.region}:*:instance/*",
      "arn:${local.partition}:ec2:${local.region}:*:launch-template/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  statement {
    sid = "AllowRegionalReadActions"
    actions = [
      "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances",
      "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates",
      "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [local.region]
    }
  }

  statement {
    sid       = "AllowSSMReadActions"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${local.partition}:ssm:${local.region}::parameter/aws/service/*"]
  }

  statement {
    sid       = "AllowPricingReadActions"
    actions   = ["pricing:GetProducts"]
    resources = ["*"]
  }

  statement {
    sid       = "AllowInterruptionQueueActions"
    actions   = ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]
    resources = [aws_sqs_queue.karpenter_interruption[0].arn]
  }

  statement {
    sid       = "AllowPassingInstanceRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.karpenter_node[0].arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  statement {
    sid       = "AllowScopedInstanceProfileCreationActions"
    actions   = ["iam:CreateInstanceProfile"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:instance-profile/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/topology.kubernetes.io/region"
      values   = [local.region]
    }

    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass"
      values   = ["*"]
    }
  }

  statement {
    sid       = "AllowScopedInstanceProfileTagActions"
    actions   = ["iam:TagInstanceProfile"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:instance-profile/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/topology.kubernetes.io/region"
      values   = [local.region]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/topology.kubernetes.io/region"
      values   = [local.region]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass"
      values   = ["*"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass"
      values   = ["*"]
    }
  }

  statement {
    sid       = "AllowScopedInstanceProfileActions"
    actions   = ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:instance-profile/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/topology.kubernetes.io/region"
      values   = [local.region]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass"
      values   = ["*"]
    }
  }

  statement {
    sid       = "AllowInstanceProfileReadActions"
    actions   = ["iam:GetInstanceProfile"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:instance-profile/*"]
  }

  statement {
    sid       = "AllowAPIServerEndpointDiscovery"
    actions   = ["eks:DescribeCluster"]
    resources = [local.cluster_arn]
  }
}

resource "aws_iam_role" "karpenter_controller" {
  count = local.karpenter ? 1 : 0

  name                 = "${var.name}-karpenter-controller"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.karpenter_trust.json

  tags = var.tags
}

resource "aws_iam_role_policy" "karpenter_controller" {
  count = local.karpenter ? 1 : 0

  name   = "karpenter-controller"
  role   = aws_iam_role.karpenter_controller[0].id
  policy = data.aws_iam_policy_document.karpenter_controller[0].json
}

resource "aws_eks_pod_identity_association" "karpenter" {
  count = local.karpenter ? 1 : 0

  cluster_name    = aws_eks_cluster.this.name
  namespace       = local.karpenter_namespace
  service_account = local.karpenter_sa
  role_arn        = aws_iam_role.karpenter_controller[0].arn

  tags = var.tags
}
