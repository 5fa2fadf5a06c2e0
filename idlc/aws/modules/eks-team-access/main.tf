data "aws_partition" "current" {}

locals {
  policy_names = {
    view  = "AmazonEKSViewPolicy"
    edit  = "AmazonEKSEditPolicy"
    admin = "AmazonEKSAdminPolicy"
  }

  # The Kubernetes group the platform guardrails bind (RoleBinding per team namespace).
  team_group = "idlc:team:${var.team}"

  access = { for a in var.access : a.principal_arn => a }
}

resource "aws_eks_access_entry" "team" {
  for_each = local.access

  cluster_name      = var.cluster_name
  principal_arn     = each.key
  type              = "STANDARD"
  kubernetes_groups = [local.team_group]

  tags = merge(var.tags, { "idlc:team" = var.team })
}

resource "aws_eks_access_policy_association" "team" {
  for_each = local.access

  cluster_name  = var.cluster_name
  principal_arn = aws_eks_access_entry.team[each.key].principal_arn
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/${local.policy_names[each.value.level]}"

  access_scope {
    type       = "namespace"
    namespaces = var.namespaces
  }
}

resource "aws_eks_pod_identity_association" "this" {
  for_each = var.pod_identities

  cluster_name    = var.cluster_name
  namespace       = each.value.namespace
  service_account = each.value.service_account
  role_arn        = each.value.role_arn
  target_role_arn = each.value.target_role_arn

  tags = merge(var.tags, { "idlc:team" = var.team })
}
