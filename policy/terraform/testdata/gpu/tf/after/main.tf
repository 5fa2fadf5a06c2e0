# The change the GPU allowance rule is tested on (policy/terraform/gpu/gpu_test.rego); the team
# may use ml.g5.* and g5.*. Karpenter NodePools (kubernetes_manifest) are in gpu_karpenter:
# the kubernetes provider is not in the tools mirror.

# pass: not accelerated
resource "aws_instance" "api" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "m7i.large"
}

# pass: within the allowance
resource "aws_instance" "embedder" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "g5.xlarge"
}

# deny: p4d is not allowed
resource "aws_instance" "trainer" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "p4d.24xlarge"
}

# deny: inf2 is not allowed
resource "aws_launch_template" "inference" {
  name_prefix   = "search-inf-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "inf2.xlarge"
}

# deny the canary variant only
resource "aws_sagemaker_endpoint_configuration" "reranker" {
  name = "search-reranker"
  production_variants {
    variant_name           = "primary"
    model_name             = "reranker"
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = 1
  }
  production_variants {
    variant_name           = "canary"
    model_name             = "reranker-big"
    instance_type          = "ml.p4d.24xlarge"
    initial_instance_count = 1
  }
}

# deny g6.xlarge, not g5.2xlarge
resource "aws_eks_node_group" "gpu" {
  cluster_name    = "platform-prod"
  node_group_name = "search-gpu"
  node_role_arn   = "arn:aws:iam::200000000003:role/search-gpu-nodes"
  subnet_ids      = ["subnet-0123456789abcdef0"]
  instance_types  = ["g5.2xlarge", "g6.xlarge"]
  ami_type        = "AL2023_x86_64_NVIDIA"
  capacity_type   = "ON_DEMAND"
  scaling_config {
    desired_size = 1
    max_size     = 4
    min_size     = 0
  }
}

# deny the trn1 override
resource "aws_autoscaling_group" "mixed" {
  name                = "search-mixed"
  max_size            = 2
  min_size            = 0
  vpc_zone_identifier = ["subnet-0123456789abcdef0"]
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_name = "search-inf"
        version              = "$Latest"
      }
      override {
        instance_type = "m7i.large"
      }
      override {
        instance_type = "trn1.2xlarge"
      }
    }
  }
}

# pass: a CPU family and an allowed GPU type
resource "aws_batch_compute_environment" "batch" {
  name         = "search-batch"
  type         = "MANAGED"
  service_role = "arn:aws:iam::200000000003:role/search-batch"
  compute_resources {
    type               = "EC2"
    max_vcpus          = 64
    instance_type      = ["c7i", "g5.4xlarge"]
    instance_role      = "arn:aws:iam::200000000003:instance-profile/search-batch"
    subnets            = ["subnet-0123456789abcdef0"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }
}
