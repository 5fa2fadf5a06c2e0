package terraform.tags_test

import data.terraform.tags

context := {"team": "search", "env": "prod", "cost_center": "cc-2100"}

plan_input := {"plan": data.terraform.testdata.tags, "context": context}

has(findings, rule, address) if {
	some finding in findings
	finding.rule == rule
	finding.resource == address
}

test_complete_default_tags_pass if {
	findings := tags.deny with input as plan_input
	not has(findings, "tags.required", "aws_sqs_queue.jobs")
	not has(findings, "tags.mismatch", "aws_sqs_queue.jobs")
}

test_missing_tags_denied if {
	findings := tags.deny with input as plan_input
	some finding in findings
	finding.rule == "tags.required"
	finding.resource == "aws_sqs_queue.untagged"
	contains(finding.message, `"cost-center"`)
	contains(finding.message, `"owner"`)
	contains(finding.message, "default_tags")
}

test_untaggable_and_untouched_resources_ignored if {
	findings := tags.deny with input as plan_input
	not has(findings, "tags.required", "aws_iam_role_policy_attachment.not_taggable")
	not has(findings, "tags.mismatch", "aws_sqs_queue.legacy")
}

test_team_from_another_team_denied if {
	findings := tags.deny with input as plan_input
	some finding in findings
	finding.rule == "tags.mismatch"
	finding.resource == `module.app["blue"].aws_sns_topic.alerts`
	contains(finding.message, `team="assistant"`)
}

test_values_must_match_the_registry_env if {
	staging := object.union(context, {"env": "staging"})
	findings := tags.deny with input as {"plan": data.terraform.testdata.tags, "context": staging}
	has(findings, "tags.mismatch", "aws_sqs_queue.jobs")
}

test_computed_tags_warn_instead_of_deny if {
	warnings := tags.warn with input as plan_input
	has(warnings, "tags.unknown", "aws_cloudwatch_log_group.computed")
	findings := tags.deny with input as plan_input
	not has(findings, "tags.required", "aws_cloudwatch_log_group.computed")
}

test_known_tags_do_not_warn if {
	warnings := tags.warn with input as plan_input
	not has(warnings, "tags.unknown", "aws_sqs_queue.jobs")
}

test_tags_computed_per_key_count_as_set if {
	rc := {
		"address": "aws_sqs_queue.q",
		"mode": "managed",
		"type": "aws_sqs_queue",
		"name": "q",
		"change": {
			"actions": ["create"],
			"after": {"tags_all": {"team": "search", "env": "prod", "cost-center": "cc-2100", "managed-by": "idlc"}},
			"after_unknown": {"tags_all": {"owner": true}},
		},
	}
	count(tags.deny) == 0 with input as {"plan": {"resource_changes": [rc]}, "context": context}
}
