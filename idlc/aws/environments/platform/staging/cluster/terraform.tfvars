kubernetes_version  = "1.33"
deletion_protection = false

system_node_group = { min_size = 2, max_size = 4, desired_size = 2 }

gpu = {
  mode           = "karpenter"
  instance_types = ["g5.xlarge", "g5.2xlarge", "g6.xlarge", "g6.2xlarge"]
  max_gpus       = 8
  idle_minutes   = 15
}
gpu_idle_minutes = 60

teams = {
  search    = { namespaces = ["search"] }
  assistant = { namespaces = ["assistant"] }
}
