package terraform.gpu_test

import data.terraform.gpu

context := {"team": "search", "env": "prod", "gpu_allowed_instance_types": ["ml.g5.*", "g5.*"]}

plan_input := {"plan": data.terraform.testdata.gpu, "context": context}

# Karpenter NodePools (kubernetes_manifest): a derived fixture, see testdata/gen.mjs.
karpenter_input := {"plan": data.terraform.testdata.gpu_karpenter, "context": context}

has(findings, address, text) if {
	some finding in findings
	finding.rule == "gpu.instance_type"
	finding.resource == address
	contains(finding.message, text)
}

test_cpu_and_allowed_gpu_instances_pass if {
	findings := gpu.deny with input as plan_input
	addresses := {finding.resource | some finding in findings}
	every address in [
		"aws_instance.api",
		"aws_instance.embedder",
		"aws_batch_compute_environment.batch",
	] {
		not address in addresses
	}
	karpenter := {finding.resource | some finding in gpu.deny with input as karpenter_input}
	not "kubernetes_manifest.nodepool_allowed" in karpenter
}

test_ec2_outside_allowance_denied if {
	findings := gpu.deny with input as plan_input
	has(findings, "aws_instance.trainer", "p4d.24xlarge")
}

test_launch_template_outside_allowance_denied if {
	findings := gpu.deny with input as plan_input
	has(findings, "aws_launch_template.inference", "inf2.xlarge")
}

test_sagemaker_variant_checked_one_by_one if {
	findings := gpu.deny with input as plan_input
	has(findings, "aws_sagemaker_endpoint_configuration.reranker", "ml.p4d.24xlarge")
	not has(findings, "aws_sagemaker_endpoint_configuration.reranker", "ml.g5.2xlarge")
}

test_eks_node_group_types_checked if {
	findings := gpu.deny with input as plan_input
	has(findings, "aws_eks_node_group.gpu", "g6.xlarge")
	not has(findings, "aws_eks_node_group.gpu", "g5.2xlarge")
}

test_autoscaling_override_checked if {
	findings := gpu.deny with input as plan_input
	has(findings, "aws_autoscaling_group.mixed", "trn1.2xlarge")
}

test_karpenter_family_and_type_checked if {
	findings := gpu.deny with input as karpenter_input
	has(findings, "kubernetes_manifest.nodepool_forbidden", "family p5")
	has(findings, "kubernetes_manifest.nodepool_forbidden", "trn1.32xlarge")
	not has(findings, "kubernetes_manifest.nodepool_forbidden", "c7i")
}

test_karpenter_open_gpu_category_denied if {
	findings := gpu.deny with input as karpenter_input
	has(findings, "kubernetes_manifest.nodepool_category", `category "g"`)
}

test_team_without_allowance_gets_no_gpu if {
	findings := gpu.deny with input as {"plan": data.terraform.testdata.gpu, "context": {"team": "platform"}}
	has(findings, "aws_instance.embedder", "g5.xlarge")
}

test_wildcard_allowance_admits_every_type_and_family if {
	wide := object.union(context, {"gpu_allowed_instance_types": ["*"]})
	count(gpu.deny) == 0 with input as {"plan": data.terraform.testdata.gpu, "context": wide}
	findings := gpu.deny with input as {"plan": data.terraform.testdata.gpu_karpenter, "context": wide}
	{finding.resource | some finding in findings} == {"kubernetes_manifest.nodepool_category"}
}

test_family_globs if {
	gpu.family_allowed("g5") with input as {"context": {"gpu_allowed_instance_types": ["g*"]}}
	gpu.family_allowed("g5") with input as {"context": {"gpu_allowed_instance_types": ["g5.*"]}}
	not gpu.family_allowed("g5") with input as {"context": {"gpu_allowed_instance_types": ["ml.g5.*", "g5.xlarge"]}}
}

test_accelerated_type_detection if {
	every type in ["p5.48xlarge", "g6e.xlarge", "gr6.4xlarge", "inf2.xlarge", "trn2.48xlarge", "ml.g5.xlarge"] {
		gpu.accelerated(type)
	}
	every type in ["m7i.large", "c7gn.xlarge", "ml.m5.xlarge", "r7g.large"] {
		not gpu.accelerated(type)
	}
}
