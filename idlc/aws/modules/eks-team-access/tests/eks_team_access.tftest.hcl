mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  cluster_name = "platform-dev"
  team         = "search"
  namespaces   = ["search"]
  access = [
    { principal_arn = "arn:aws:iam::200000000001:role/search-developers" },
    { principal_arn = "arn:aws:iam::200000000001:role/search-auditors", level = "view" },
  ]
  pod_identities = {
    retriever = {
      namespace       = "search"
      service_account = "retriever"
      role_arn        = "arn:aws:iam::200000000001:role/search-dev-retriever"
    }
  }
}

run "access_is_namespace_scoped" {
  command = apply

  assert {
    condition     = alltrue([for a in aws_eks_access_policy_association.team : a.access_scope[0].type == "namespace" && toset(a.access_scope[0].namespaces) == toset(["search"])])
    error_message = "Team access must be scoped to the team's namespaces."
  }

  assert {
    condition     = endswith(aws_eks_access_policy_association.team["arn:aws:iam::200000000001:role/search-developers"].policy_arn, "/AmazonEKSEditPolicy")
    error_message = "The default access level is edit."
  }

  assert {
    condition     = endswith(aws_eks_access_policy_association.team["arn:aws:iam::200000000001:role/search-auditors"].policy_arn, "/AmazonEKSViewPolicy")
    error_message = "view maps to AmazonEKSViewPolicy."
  }

  assert {
    condition     = toset(aws_eks_access_entry.team["arn:aws:iam::200000000001:role/search-developers"].kubernetes_groups) == toset(["idlc:team:search"])
    error_message = "Team principals must be in the team's Kubernetes group."
  }

  assert {
    condition     = aws_eks_pod_identity_association.this["retriever"].service_account == "retriever"
    error_message = "Pod Identity associations must be created."
  }
}

run "rejects_foreign_namespace_for_pod_identity" {
  command = plan

  variables {
    pod_identities = {
      sneaky = {
        namespace       = "kube-system"
        service_account = "aws-node"
        role_arn        = "arn:aws:iam::200000000001:role/search-dev-sneaky"
      }
    }
  }

  expect_failures = [var.pod_identities]
}

run "rejects_system_namespaces" {
  command = plan

  variables {
    namespaces     = ["kube-system"]
    pod_identities = {}
  }

  expect_failures = [var.namespaces]
}

run "rejects_cluster_admin_level" {
  command = plan

  variables {
    access = [{ principal_arn = "arn:aws:iam::200000000001:role/search-developers", level = "cluster-admin" }]
  }

  expect_failures = [var.access]
}
