output "cluster_name" {
  description = "Name of the cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the API endpoint."
  value       = one(aws_eks_cluster.this.certificate_authority[*].data)
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and managed nodes."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "node_role_arn" {
  description = "IAM role of the managed node groups."
  value       = aws_iam_role.node.arn
}

output "gpu_node_group_name" {
  description = "Name of the GPU managed node group (null unless gpu.mode = managed_node_group)."
  value       = one(aws_eks_node_group.gpu[*].node_group_name)
}

output "karpenter" {
  description = "What the Karpenter Helm values need (null unless gpu.mode = karpenter): settings.clusterName, settings.interruptionQueue, the service account and the node role."
  value = local.karpenter ? {
    cluster_name          = aws_eks_cluster.this.name
    interruption_queue    = aws_sqs_queue.karpenter_interruption[0].name
    controller_role_arn   = aws_iam_role.karpenter_controller[0].arn
    node_role_name        = aws_iam_role.karpenter_node[0].name
    namespace             = local.karpenter_namespace
    service_account       = local.karpenter_sa
    pod_identity_audience = "pods.eks.amazonaws.com"
  } : null
}

output "karpenter_gpu_manifests" {
  description = "GPU NodePool and EC2NodeClass (YAML, two documents) for sdlc/platform to apply with Argo CD (null unless gpu.mode = karpenter)."
  value       = local.karpenter ? "${yamlencode(local.karpenter_nodepool)}---\n${yamlencode(local.karpenter_nodeclass)}" : null
}

output "gpu_taint" {
  description = "Taint on every GPU node: GPU pods need a matching toleration (and a nvidia.com/gpu resource request)."
  value       = { key = local.gpu_taint.key, value = local.gpu_taint.value, effect = "NoSchedule" }
}
