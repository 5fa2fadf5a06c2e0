# The shared EKS cluster of one environment, in the platform VPC (found by tags, so this stack
# needs no other stack's state), with its GPU capacity path, the teams' namespace-scoped access,
# and the GPU-idle alarm.
locals {
  name       = "${var.idlc.team}-${var.idlc.env}"
  apply_role = "arn:aws:iam::${var.idlc.account_id}:role/idlc-${var.idlc.team}-${var.idlc.env}-apply"
  # The boundary the platform manages in the account: the apply role creates <team>-* roles only with it.
  permissions_boundary_arn = "arn:aws:iam::${var.idlc.account_id}:policy/idlc-workload-boundary"
}

data "aws_vpc" "this" {
  tags = { Name = local.name }
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }

  tags = { "idlc:tier" = "private" }
}

data "aws_sns_topic" "alarms" {
  name = "${local.name}-alarms"
}

module "cluster" {
  source = "../../../../modules/eks-cluster"

  permissions_boundary_arn = local.permissions_boundary_arn

  name                         = local.name
  kubernetes_version           = var.kubernetes_version
  subnet_ids                   = data.aws_subnets.private.ids
  deletion_protection          = var.deletion_protection
  cluster_admin_principal_arns = concat([local.apply_role], var.break_glass_role_arns)
  system_node_group            = var.system_node_group
  gpu                          = var.gpu
}

module "team_access" {
  source   = "../../../../modules/eks-team-access"
  for_each = var.teams

  cluster_name   = module.cluster.cluster_name
  team           = each.key
  namespaces     = each.value.namespaces
  access         = each.value.access
  pod_identities = each.value.pod_identities
}

module "monitoring" {
  source = "../../../../modules/monitoring"

  name             = local.name
  alarm_topic_arns = [data.aws_sns_topic.alarms.arn]
  eks_gpu_clusters = {
    shared = { cluster_name = module.cluster.cluster_name, gpu_idle_minutes = var.gpu_idle_minutes }
  }
}
