# The strings project-baseline grants access with, computed without the google provider so that
# real tofu renders them where the provider cannot be built (the toolkit's tests configure their
# Google STS double from this module's outputs, and evaluate the storage conditions with CEL).
locals {
  gh = var.github

  # Subjects in the repository's customized format (include_claim_keys = [repo, context,
  # job_workflow_ref]), the same strings as src/auth/oidc-subjects.ts and the AWS github-oidc
  # module: only workflow files loaded from the default branch are named, never a file a pull
  # request adds (its job_workflow_ref ends in @refs/pull/<n>/merge).
  workflow_ref = { for k, path in {
    plan  = local.gh.plan_workflow_path
    apply = local.gh.apply_workflow_path
    drift = local.gh.drift_workflow_path
  } : k => "${local.gh.repository}/${path}@refs/heads/${local.gh.default_branch}" if path != null }
  plan_subjects = concat(
    [local.gh.plan_review
      ? "repo:${local.gh.repository}:environment:${var.team}-${var.env}-plan:job_workflow_ref:${local.workflow_ref.plan}"
      : "repo:${local.gh.repository}:pull_request:job_workflow_ref:${local.workflow_ref.plan}"
    ],
    [for path in local.gh.drift_workflow_path == null ? [] : [local.gh.drift_workflow_path] :
      "repo:${local.gh.repository}:ref:refs/heads/${local.gh.default_branch}:job_workflow_ref:${local.gh.repository}/${path}@refs/heads/${local.gh.default_branch}"
    ],
    local.gh.plan_extra_subjects,
  )
  apply_subjects = [for e in local.gh.environments : "repo:${local.gh.repository}:environment:${e}:job_workflow_ref:${local.workflow_ref.apply}"]

  # Workflow files whose tokens may be exchanged at all: the default branch's plan, drift and
  # apply workflows (and those of plan_extra_subjects).
  exchange_workflow_refs = distinct(concat(
    values(local.workflow_ref),
    [for s in local.gh.plan_extra_subjects : split(":job_workflow_ref:", s)[1]],
  ))

  # CEL, checked at token exchange before any IAM binding: this repository (and owner, if
  # pinned) and one of the default branch's idlc workflow files. Which account a token may use
  # is decided by the bindings, on the exact subject.
  attribute_condition = join(" && ", compact([
    "assertion.repository == '${local.gh.repository}'",
    local.gh.repository_owner_id == null ? "" : "assertion.repository_owner_id == '${local.gh.repository_owner_id}'",
    "assertion.job_workflow_ref in [${join(", ", [for r in local.exchange_workflow_refs : "'${r}'"])}]",
  ]))

  # attribute.sub carries the whole customized subject (context + job_workflow_ref) for the
  # principalSet bindings: custom attributes have no length limit of their own, while
  # google.subject must fit 127 characters, which a customized sub of a long repository name
  # exceeds. The subject names the workflow run instead (audit logs lead to the run).
  attribute_mapping = {
    "google.subject"                = "'github:' + assertion.repository_id + ':' + assertion.run_id + ':' + assertion.run_attempt"
    "attribute.sub"                 = "assertion.sub"
    "attribute.repository"          = "assertion.repository"
    "attribute.repository_owner_id" = "assertion.repository_owner_id"
    "attribute.job_workflow_ref"    = "assertion.job_workflow_ref"
    "attribute.ref"                 = "assertion.ref"
    "attribute.event_name"          = "assertion.event_name"
  }

  member = { for s in concat(local.plan_subjects, local.apply_subjects) : s => "principalSet://iam.googleapis.com/${var.pool_name}/attribute.sub/${s}" }

  # IAM conditions on the state bucket (resource.name of an object is
  # projects/_/buckets/<bucket>/objects/<name>). Plan bundles and apply records live under
  # <plans_prefix>gcp/<team>/<env>/ (the stack ids of this project) and are created once: the
  # accounts get storage.objects.create there, never delete, and GCS needs delete to overwrite.
  objects   = var.state_bucket == null ? "" : "projects/_/buckets/${var.state_bucket}/objects/"
  plans     = "${local.objects}${var.plans_prefix}"
  env_plans = "${local.plans}gcp/${var.team}/${var.env}/"
  not_plans = "!resource.name.startsWith('${local.plans}')"
  conditions = var.state_bucket == null ? {} : {
    # Lock files of the state (the gcs backend creates and deletes <prefix>/<workspace>.tflock).
    plan_locks = "resource.name.startsWith('${local.objects}') && resource.name.endsWith('.tflock') && ${local.not_plans}"
    # Bundles: <plans_prefix>gcp/<team>/<env>/.../<sha256>.tar
    plan_bundles = "resource.name.startsWith('${local.env_plans}') && resource.name.endsWith('.tar')"
    # State and locks: everything of the bucket but the plans folder.
    apply_state = "resource.name.startsWith('${local.objects}') && ${local.not_plans}"
    # Claims and results: <sha256>.claim.<n>.json, <sha256>.result.<n>.json
    apply_records = "resource.name.startsWith('${local.env_plans}') && resource.name.endsWith('.json')"
    # Project-level storage roles of the apply account reach every bucket of the project but
    # this one (its objects are governed by the grants above only).
    apply_project_storage = "resource.name != 'projects/_/buckets/${var.state_bucket}' && !resource.name.startsWith('${local.objects}')"
  }
}
