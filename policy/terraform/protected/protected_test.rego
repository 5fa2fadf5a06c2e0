package terraform.protected_test

import data.terraform.protected

prod := {"team": "search", "env": "prod", "protected": true, "approvals": []}

plan_input := {"plan": data.terraform.testdata.protected, "context": prod}

has(findings, rule, address) if {
	some finding in findings
	finding.rule == rule
	finding.resource == address
}

test_deletion_protection_on_passes if {
	findings := protected.deny with input as plan_input
	not has(findings, "protected.deletion_protection", "aws_db_instance.metadata")
	not has(findings, "protected.deletion_protection", "aws_lb.public")
}

test_deletion_protection_off_denied if {
	findings := protected.deny with input as plan_input
	has(findings, "protected.deletion_protection", "aws_rds_cluster.vectors")
	has(findings, "protected.deletion_protection", "aws_dynamodb_table.sessions")
}

test_force_destroy_bucket_denied if {
	findings := protected.deny with input as plan_input
	has(findings, "protected.deletion_protection", "aws_s3_bucket.scratch")
}

test_stateful_delete_denied if {
	findings := protected.deny with input as plan_input
	some finding in findings
	finding.rule == "protected.stateful_destroy"
	finding.resource == "aws_s3_bucket.archive"
	contains(finding.message, "deleted")
}

test_stateful_replace_denied if {
	findings := protected.deny with input as plan_input
	some finding in findings
	finding.resource == "aws_db_instance.replica"
	contains(finding.message, "replaced")
}

test_stateless_delete_passes if {
	findings := protected.deny with input as plan_input
	not has(findings, "protected.stateful_destroy", "aws_sqs_queue.retired")
}

test_destroy_approved_turns_deny_into_warning if {
	context := object.union(prod, {"approvals": ["destroy-approved"]})
	approved := {"plan": data.terraform.testdata.protected, "context": context}
	findings := protected.deny with input as approved
	not has(findings, "protected.stateful_destroy", "aws_s3_bucket.archive")
	warnings := protected.warn with input as approved
	has(warnings, "protected.stateful_destroy", "aws_s3_bucket.archive")
}

test_unprotected_env_not_checked if {
	dev := {"plan": data.terraform.testdata.protected, "context": {"env": "dev", "protected": false}}
	count(protected.deny) == 0 with input as dev
}
