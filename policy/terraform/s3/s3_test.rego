package terraform.s3_test

import data.terraform.s3

plan_input := {"plan": data.terraform.testdata.s3, "context": {"team": "search", "env": "prod"}}

has(findings, rule, address) if {
	some finding in findings
	finding.rule == rule
	finding.resource == address
}

compliant := [
	"aws_s3_bucket.documents",
	"module.logs.aws_s3_bucket.this",
	"module.platform.module.audit.aws_s3_bucket.this",
	"aws_s3_bucket.from_document",
]

test_compliant_buckets_pass if {
	findings := s3.deny with input as plan_input
	every address in compliant {
		not has(findings, "s3.encryption", address)
		not has(findings, "s3.public_access_block", address)
		not has(findings, "s3.tls_only", address)
	}
}

test_bucket_without_encryption_denied if {
	findings := s3.deny with input as plan_input
	has(findings, "s3.encryption", "aws_s3_bucket.bare")
}

test_encryption_without_algorithm_denied if {
	findings := s3.deny with input as plan_input
	has(findings, "s3.encryption", "aws_s3_bucket_server_side_encryption_configuration.partial")
	not has(findings, "s3.encryption", "aws_s3_bucket.partial")
}

test_bucket_without_public_access_block_denied if {
	findings := s3.deny with input as plan_input
	has(findings, "s3.public_access_block", "aws_s3_bucket.bare")
}

test_partial_public_access_block_denied if {
	findings := s3.deny with input as plan_input
	has(findings, "s3.public_access_block", "aws_s3_bucket.partial")
}

test_removing_public_access_block_of_existing_bucket_denied if {
	findings := s3.deny with input as plan_input
	has(findings, "s3.public_access_block", "aws_s3_bucket.existing")
}

test_untouched_legacy_bucket_not_reported if {
	findings := s3.deny with input as plan_input
	every finding in findings {
		finding.resource != "aws_s3_bucket.legacy"
	}
}

test_bucket_without_tls_policy_denied if {
	findings := s3.deny with input as plan_input
	has(findings, "s3.tls_only", "aws_s3_bucket.bare")
}

test_policy_without_secure_transport_denied if {
	findings := s3.deny with input as plan_input
	has(findings, "s3.tls_only", "aws_s3_bucket.partial")
}

test_tls_policy_from_deferred_document_passes if {
	findings := s3.deny with input as plan_input
	not has(findings, "s3.tls_only", "aws_s3_bucket.from_document")
}

test_opaque_policy_warns if {
	findings := s3.deny with input as plan_input
	not has(findings, "s3.tls_only", "aws_s3_bucket.opaque")
	warnings := s3.warn with input as plan_input
	has(warnings, "s3.tls_only", "aws_s3_bucket.opaque")
}

test_tls_condition_as_boolean_and_if_exists if {
	s3.denies_insecure_transport({
		"effect": "Deny",
		"actions": ["*"],
		"conditions": [{"test": "BoolIfExists", "variable": "aws:securetransport", "values": [false]}],
	})
	not s3.denies_insecure_transport({
		"effect": "Allow",
		"actions": ["s3:*"],
		"conditions": [{"test": "Bool", "variable": "aws:securetransport", "values": ["false"]}],
	})
}
