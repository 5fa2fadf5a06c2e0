kubernetes_version  = "1.33"
deletion_protection = false

system_node_group = { min_size = 2, max_size = 3, desired_size = 2 }

# Karpenter GPU pool: small on-demand GPUs, removed 10 minutes after they empty.
gpu = {
  mode           = "karpenter"
  instance_types = ["g5.xlarge", "g5.2xlarge", "g6.xlarge"]
  max_gpus       = 4
  idle_minutes   = 10
}
gpu_idle_minutes = 60

teams = {
  search    = { namespaces = ["search"] }
  assistant = { namespaces = ["assistant"] }
}
