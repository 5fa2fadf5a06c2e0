output "cluster_name" {
  description = "Name of the shared cluster."
  value       = module.cluster.cluster_name
}

output "karpenter" {
  description = "Values for the Karpenter Helm release in sdlc/platform."
  value       = module.cluster.karpenter
}

output "karpenter_gpu_manifests" {
  description = "GPU NodePool and EC2NodeClass to commit under sdlc/platform."
  value       = module.cluster.karpenter_gpu_manifests
}
