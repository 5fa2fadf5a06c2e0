package terraform.main_test

import data.terraform.main

context := {
	"team": "search",
	"env": "prod",
	"protected": true,
	"cost_center": "cc-2100",
	"gpu_allowed_instance_types": ["g5.*"],
	"approvals": [],
	"stack": "aws/search/prod",
	"stack_kind": "stack",
}

test_every_concern_package_is_loaded if {
	count(main.loaded) == 8
}

# The real tofu output holds only terraform_data: nothing taggable, nothing to deny.
test_real_tofu_envelope_passes if {
	plan := {"plan": data.terraform.testdata.envelope, "context": context}
	count(main.deny) == 0 with input as plan
	count(main.warn) == 0 with input as plan
}

fixtures := [
	data.terraform.testdata.tags,
	data.terraform.testdata.s3,
	data.terraform.testdata.iam,
	data.terraform.testdata.network,
	data.terraform.testdata.kms,
	data.terraform.testdata.gpu,
	data.terraform.testdata.protected,
]

test_findings_of_every_package_are_collected if {
	rules := {finding.rule |
		some plan in fixtures
		some finding in main.deny with input as {"plan": plan, "context": context}
	}
	every rule in [
		"tags.required",
		"s3.encryption",
		"iam.admin_wildcard",
		"network.public_ingress",
		"kms.rotation",
		"gpu.instance_type",
		"protected.stateful_destroy",
	] {
		rule in rules
	}
}

test_warnings_are_collected if {
	warnings := main.warn with input as {"plan": data.terraform.testdata.tags, "context": context}
	some finding in warnings
	finding.rule == "tags.unknown"
}

test_findings_have_the_report_shape if {
	findings := main.deny with input as {"plan": data.terraform.testdata.kms, "context": context}
	every finding in findings {
		object.keys(finding) == {"rule", "resource", "message"}
	}
}
