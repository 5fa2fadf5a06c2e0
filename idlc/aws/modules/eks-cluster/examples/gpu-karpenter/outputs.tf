output "cluster_name" {
  description = "Name of the example cluster."
  value       = module.cluster.cluster_name
}

output "karpenter_gpu_manifests" {
  description = "NodePool and EC2NodeClass to commit under sdlc/platform."
  value       = module.cluster.karpenter_gpu_manifests
}
