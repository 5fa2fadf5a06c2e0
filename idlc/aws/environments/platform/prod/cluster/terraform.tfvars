kubernetes_version  = "1.33"
deletion_protection = true

system_node_group = { instance_types = ["m7i.xlarge"], min_size = 3, max_size = 6, desired_size = 3 }

# Pinned AMI: node image changes are reviewed like any other change in prod.
gpu = {
  mode           = "karpenter"
  instance_types = ["g5.2xlarge", "g5.4xlarge", "g6.2xlarge", "g6e.2xlarge"]
  karpenter_ami  = "al2023@v20250601"
  max_gpus       = 24
  idle_minutes   = 30
}
gpu_idle_minutes = 120

teams = {
  search    = { namespaces = ["search"] }
  assistant = { namespaces = ["assistant"] }
}
