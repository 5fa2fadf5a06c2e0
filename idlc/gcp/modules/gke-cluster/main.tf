locals {
  node_roles = [
    "roles/artifactregistry.reader", "roles/autoscaling.metricsWriter", "roles/logging.logWriter",
    "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/stackdriver.resourceMetadata.writer",
  ]
  gpu = var.gpu_pool
}

# Nodes run as a dedicated least-privilege account, never the default compute account (Editor).
resource "google_service_account" "nodes" {
  project      = var.project_id
  account_id   = "${var.name}-gke-nodes"
  display_name = "GKE nodes of ${var.name}"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset(local.node_roles)

  project = var.project_id
  role    = each.value
  member  = google_service_account.nodes.member
}

resource "google_container_cluster" "this" {
  #checkov:skip=CKV_GCP_12:Dataplane V2 (ADVANCED_DATAPATH) enforces NetworkPolicy natively; the legacy network_policy block conflicts with it
  #checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Workspace domain; set var.rbac_security_group where one exists
  name                = var.name
  project             = var.project_id
  location            = var.region
  network             = var.network
  subnetwork          = var.subnetwork
  deletion_protection = var.deletion_protection
  datapath_provider   = "ADVANCED_DATAPATH"

  enable_intranode_visibility = true

  # Pools are managed below; the default pool is created and removed at once.
  remove_default_node_pool = true
  initial_node_count       = 1

  node_config {
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  dynamic "authenticator_groups_config" {
    for_each = var.rbac_security_group == null ? [] : [var.rbac_security_group]
    content {
      security_group = authenticator_groups_config.value
    }
  }

  release_channel {
    channel = var.release_channel
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = var.enable_private_endpoint
    master_ipv4_cidr_block  = var.master_ipv4_cidr_block
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.master_authorized_networks
      content {
        cidr_block   = cidr_blocks.value.cidr
        display_name = cidr_blocks.value.name
      }
    }
  }

  dynamic "database_encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      state    = "ENCRYPTED"
      key_name = database_encryption.value
    }
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  # Cost allocation: GKE splits the bill by namespace and label (team workloads on shared pools).
  cost_management_config {
    enabled = true
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }

  # DCGM exports GPU utilization, which the GPU-idle alerting needs.
  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS", "DCGM"]

    managed_prometheus {
      enabled = true
    }
  }

  resource_labels = var.labels

  lifecycle {
    ignore_changes = [node_config]
  }
}

resource "google_container_node_pool" "system" {
  name     = "${var.name}-system"
  project  = var.project_id
  location = var.region
  cluster  = google_container_cluster.this.name

  autoscaling {
    min_node_count = var.system_pool.min_nodes
    max_node_count = var.system_pool.max_nodes
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = var.system_pool.machine_type
    disk_size_gb    = var.system_pool.disk_size_gb
    disk_type       = "pd-balanced"
    image_type      = "COS_CONTAINERD"
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = { "idlc.io/pool" = "system" }
    resource_labels = var.labels

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

resource "google_container_node_pool" "gpu" {
  count = local.gpu.enabled ? 1 : 0

  name           = "${var.name}-gpu"
  project        = var.project_id
  location       = var.region
  cluster        = google_container_cluster.this.name
  node_locations = local.gpu.node_locations

  # Total limits across zones; ANY picks whichever zone has GPUs (L4/A100 stock-outs are common).
  autoscaling {
    total_min_node_count = local.gpu.min_nodes
    total_max_node_count = local.gpu.max_nodes
    location_policy      = "ANY"
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = local.gpu.machine_type
    disk_size_gb    = local.gpu.disk_size_gb
    disk_type       = "pd-ssd"
    image_type      = "COS_CONTAINERD"
    spot            = local.gpu.spot
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = { "idlc.io/pool" = "gpu", "idlc.io/accelerator" = "nvidia" }
    resource_labels = merge(var.labels, { accelerator = local.gpu.accelerator_type })

    guest_accelerator {
      type  = local.gpu.accelerator_type
      count = local.gpu.accelerator_count

      gpu_driver_installation_config {
        gpu_driver_version = local.gpu.gpu_driver_version
      }
    }

    # GKE adds this taint to GPU nodes itself; declaring it keeps plans free of drift.
    taint {
      key    = "nvidia.com/gpu"
      value  = "present"
      effect = "NO_SCHEDULE"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}
