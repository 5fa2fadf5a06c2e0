package terraform.kms_test

import data.terraform.kms

plan_input := {"plan": data.terraform.testdata.kms, "context": {"team": "search", "env": "prod"}}

has(findings, address) if {
	some finding in findings
	finding.rule == "kms.rotation"
	finding.resource == address
}

test_rotating_key_passes if {
	findings := kms.deny with input as plan_input
	not has(findings, "aws_kms_key.data")
}

test_static_key_denied if {
	findings := kms.deny with input as plan_input
	has(findings, "aws_kms_key.static")
}

test_asymmetric_key_exempt if {
	findings := kms.deny with input as plan_input
	not has(findings, "aws_kms_key.signing")
}

test_rotation_known_only_after_apply_passes if {
	rc := {
		"address": "aws_kms_key.computed",
		"mode": "managed",
		"type": "aws_kms_key",
		"name": "computed",
		"change": {"actions": ["create"], "after": {}, "after_unknown": {"enable_key_rotation": true}},
	}
	count(kms.deny) == 0 with input as {"plan": {"resource_changes": [rc]}}
}
