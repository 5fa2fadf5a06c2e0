provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team          = "search"
      env           = "dev"
      "cost-center" = "cc-2100"
      "managed-by"  = "idlc"
    }
  }
}

module "retriever_role" {
  source = "../../../iam-workload-role"

  name          = "search-dev-retriever"
  workload_type = "eks-pod-identity"
  policy_statements = [{
    actions   = ["bedrock:Retrieve"]
    resources = ["arn:aws:bedrock:${var.region}:200000000001:knowledge-base/*"]
  }]
}

module "team_access" {
  source = "../.."

  cluster_name = "platform-dev"
  team         = "search"
  namespaces   = ["search"]

  access = [
    { principal_arn = "arn:aws:iam::200000000001:role/search-developers", level = "edit" },
  ]

  pod_identities = {
    retriever = { namespace = "search", service_account = "retriever", role_arn = module.retriever_role.role_arn }
  }
}
