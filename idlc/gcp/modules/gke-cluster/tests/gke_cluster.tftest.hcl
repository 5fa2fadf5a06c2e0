mock_provider "google" {
  mock_resource "google_service_account" {
    defaults = {
      email  = "assistant-dev-gke-nodes@acme-assistant-dev.iam.gserviceaccount.com"
      member = "serviceAccount:assistant-dev-gke-nodes@acme-assistant-dev.iam.gserviceaccount.com"
    }
  }
}

variables {
  name                = "assistant-dev"
  project_id          = "acme-assistant-dev"
  region              = "europe-west4"
  network             = "assistant-dev"
  subnetwork          = "assistant-dev-europe-west4"
  pods_range_name     = "pods"
  services_range_name = "services"
}

run "private_workload_identity_cluster" {
  command = plan

  assert {
    condition     = one(google_container_cluster.this.private_cluster_config).enable_private_nodes && one(google_container_cluster.this.private_cluster_config).enable_private_endpoint
    error_message = "Nodes and control plane must be private."
  }

  assert {
    condition     = one(google_container_cluster.this.workload_identity_config).workload_pool == "acme-assistant-dev.svc.id.goog"
    error_message = "Workload Identity must be enabled."
  }

  assert {
    condition     = google_container_cluster.this.deletion_protection && one(google_container_cluster.this.cost_management_config).enabled
    error_message = "Deletion protection and cost allocation must be on."
  }

  assert {
    condition     = contains(one(google_container_cluster.this.monitoring_config).enable_components, "DCGM")
    error_message = "DCGM GPU metrics must be collected."
  }
}

run "gpu_pool_scales_from_zero_with_driver" {
  command = plan

  assert {
    condition     = one(google_container_node_pool.gpu[0].autoscaling).total_min_node_count == 0
    error_message = "The GPU pool must scale from zero."
  }

  assert {
    condition     = one(one(google_container_node_pool.gpu[0].node_config).guest_accelerator).type == "nvidia-l4"
    error_message = "The GPU pool must attach the accelerator."
  }

  assert {
    condition     = one(one(one(google_container_node_pool.gpu[0].node_config).guest_accelerator).gpu_driver_installation_config).gpu_driver_version == "LATEST"
    error_message = "GKE must install the NVIDIA driver."
  }

  assert {
    condition     = one(one(google_container_node_pool.gpu[0].node_config).taint).key == "nvidia.com/gpu"
    error_message = "GPU nodes must be tainted."
  }

  assert {
    condition     = one(one(google_container_node_pool.gpu[0].node_config).workload_metadata_config).mode == "GKE_METADATA"
    error_message = "Pods must use the GKE metadata server (Workload Identity), not node credentials."
  }
}

run "rejects_mismatched_machine_and_gpu" {
  command = plan

  variables {
    gpu_pool = { machine_type = "n1-standard-8", accelerator_type = "nvidia-l4" }
  }

  expect_failures = [var.gpu_pool]
}

run "rejects_world_open_control_plane" {
  command = plan

  variables {
    master_authorized_networks = [{ cidr = "0.0.0.0/0", name = "everyone" }]
  }

  expect_failures = [var.master_authorized_networks]
}
