# METADATA
# title: GPU and accelerator instances only where the registry allows them
# description: |
#   Accelerated instance types (EC2 p*, g*, inf*, trn*, dl*; SageMaker ml.p*, ml.g*, ml.inf*,
#   ml.trn*) may be requested only when they match one of the team's
#   gpu.allowed_instance_types globs in idlc.yaml. Looked at: EC2 instances and launch
#   templates, EKS managed node groups, Auto Scaling overrides, Batch compute environments,
#   SageMaker endpoints and notebooks, and Karpenter NodePools applied with kubernetes_manifest.
package terraform.gpu

import data.terraform.lib

# METADATA
# description: an accelerated instance type outside the team's allowance
deny contains lib.finding("gpu.instance_type", request.address, message) if {
	some request in requests
	accelerated(request.type)
	not allowed(request.type)
	message := sprintf(
		concat(" ", [
			"%s requests %s (%s), which team %q may not use (allowed: %v);",
			"pick an allowed type or ask the platform team to extend gpu.allowed_instance_types in idlc.yaml",
		]),
		[request.address, request.type, request.where, object.get(lib.context, "team", ""), allowance],
	)
}

# METADATA
# description: a Karpenter NodePool allows an accelerated family outside the allowance
deny contains lib.finding("gpu.instance_type", pool.address, message) if {
	some pool in node_pools
	some family in requirement_values(pool.requirements, "karpenter.k8s.aws/instance-family")
	accelerated(family)
	not family_allowed(family)
	message := sprintf(
		concat(" ", [
			"%s (NodePool %s) allows instance family %s, which team %q may not use (allowed: %v);",
			"remove it from the requirement or extend gpu.allowed_instance_types in idlc.yaml",
		]),
		[pool.address, pool.name, family, object.get(lib.context, "team", ""), allowance],
	)
}

# METADATA
# description: a Karpenter NodePool opens accelerated categories without pinning families or types
deny contains lib.finding("gpu.instance_type", pool.address, message) if {
	some pool in node_pools
	some category in requirement_values(pool.requirements, "karpenter.k8s.aws/instance-category")
	category in accelerated_categories
	count(requirement_values(pool.requirements, "karpenter.k8s.aws/instance-family")) == 0
	count(requirement_values(pool.requirements, "node.kubernetes.io/instance-type")) == 0
	message := sprintf(
		concat(" ", [
			"%s (NodePool %s) allows instance category %q without naming families or types;",
			"add a karpenter.k8s.aws/instance-family or node.kubernetes.io/instance-type requirement",
			"within the team's allowance %v",
		]),
		[pool.address, pool.name, category, allowance],
	)
}

allowance := object.get(lib.context, "gpu_allowed_instance_types", [])

accelerated_categories := {"p", "g", "inf", "trn", "dl"}

# ml. prefix for SageMaker; gr6 is the graphics-optimised G family.
accelerated(type) if regex.match(`^(ml\.)?(p|g|gr|inf|trn|dl)[0-9]`, type)

# Globs match the whole type (no delimiters): "*" crosses dots, so "*" admits everything and "g5.*" g5 sizes.
allowed(type) if {
	some pattern in allowance
	glob.match(pattern, null, type)
}

# A family is allowed when a glob admits every size of it: "g5.*", "g*" or "*" admit g5.
family_allowed(family) if {
	some pattern in allowance
	endswith(pattern, ".*")
	glob.match(trim_suffix(pattern, ".*"), null, family)
}

family_allowed(family) if {
	some pattern in allowance
	not contains(pattern, ".")
	endswith(pattern, "*")
	glob.match(pattern, null, family)
}

# Every (address, instance type, where) the plan asks for.
requests contains {"address": rc.address, "type": type, "where": "instance_type"} if {
	some rc in lib.changing
	rc.type in {"aws_instance", "aws_launch_template", "aws_sagemaker_notebook_instance", "aws_spot_instance_request"}
	type := lib.after(rc, "instance_type")
}

requests contains {"address": rc.address, "type": type, "where": where} if {
	some rc in lib.changing
	rc.type == "aws_sagemaker_endpoint_configuration"
	some block in ["production_variants", "shadow_production_variants"]
	some i, variant in lib.as_list(object.get(rc.change.after, block, []))
	type := variant.instance_type
	is_string(type)
	where := sprintf("%s[%d].instance_type", [block, i])
}

requests contains {"address": rc.address, "type": type, "where": "instance_types"} if {
	some rc in lib.changing
	rc.type == "aws_eks_node_group"
	some type in lib.as_list(object.get(rc.change.after, "instance_types", []))
}

requests contains {"address": rc.address, "type": type, "where": "mixed_instances_policy override"} if {
	some rc in lib.changing
	rc.type == "aws_autoscaling_group"
	some policy in lib.as_list(object.get(rc.change.after, "mixed_instances_policy", []))
	some template in lib.as_list(object.get(policy, "launch_template", []))
	some override in lib.as_list(object.get(template, "override", []))
	type := override.instance_type
	is_string(type)
}

requests contains {"address": rc.address, "type": type, "where": "compute_resources.instance_type"} if {
	some rc in lib.changing
	rc.type == "aws_batch_compute_environment"
	some resources in lib.as_list(object.get(rc.change.after, "compute_resources", []))
	some type in lib.as_list(object.get(resources, "instance_type", []))
}

requests contains {"address": pool.address, "type": type, "where": sprintf("NodePool %s", [pool.name])} if {
	some pool in node_pools
	some type in requirement_values(pool.requirements, "node.kubernetes.io/instance-type")
}

# Karpenter NodePools (karpenter.sh) declared through the kubernetes provider.
node_pools contains pool if {
	some rc in lib.changing
	rc.type == "kubernetes_manifest"
	manifest := rc.change.after.manifest
	manifest.kind == "NodePool"
	startswith(manifest.apiVersion, "karpenter.sh/")
	pool := {
		"address": rc.address,
		"name": object.get(manifest, ["metadata", "name"], ""),
		"requirements": object.get(manifest, ["spec", "template", "spec", "requirements"], []),
	}
}

# Values a NodePool admits for a label: only "In" widens the set; NotIn/Exists are ignored
# (Exists on these keys is reported through the category rule when GPU categories are open).
requirement_values(requirements, key) := [value |
	some requirement in requirements
	requirement.key == key
	requirement.operator == "In"
	some value in requirement.values
]
