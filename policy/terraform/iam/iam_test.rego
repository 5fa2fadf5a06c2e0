package terraform.iam_test

import data.terraform.iam

plan_input := {"plan": data.terraform.testdata.iam, "context": {"team": "search", "env": "prod"}}

has(findings, rule, address) if {
	some finding in findings
	finding.rule == rule
	finding.resource == address
}

test_scoped_policy_passes if {
	findings := iam.deny with input as plan_input
	every finding in findings {
		finding.resource != "aws_iam_policy.scoped"
	}
}

test_admin_policy_denied if {
	findings := iam.deny with input as plan_input
	has(findings, "iam.admin_wildcard", "aws_iam_policy.admin")
}

test_admin_inline_policy_denied if {
	findings := iam.deny with input as plan_input
	has(findings, "iam.admin_wildcard", "aws_iam_role.inline_admin")
}

test_passrole_on_any_role_denied if {
	findings := iam.deny with input as plan_input
	has(findings, "iam.passrole_wildcard", "aws_iam_role_policy.pass_any")
}

test_passrole_on_named_role_passes if {
	findings := iam.deny with input as plan_input
	not has(findings, "iam.passrole_wildcard", "aws_iam_policy.scoped")
}

test_policy_documents_read_at_plan_time_checked if {
	findings := iam.deny with input as plan_input
	has(findings, "iam.passrole_wildcard", "data.aws_iam_policy_document.wide")
	not has(findings, "iam.admin_wildcard", "data.aws_iam_policy_document.narrow")
	not has(findings, "iam.passrole_wildcard", "data.aws_iam_policy_document.narrow")
}

test_not_action_warns if {
	warnings := iam.warn with input as plan_input
	has(warnings, "iam.not_action", "aws_iam_policy.not_action")
}

test_explicit_actions_do_not_warn if {
	warnings := iam.warn with input as plan_input
	not has(warnings, "iam.not_action", "aws_iam_policy.scoped")
}

# Deny statements are guardrails, not grants: however wide, they never count as one.
test_deny_statements_are_not_grants if {
	findings := iam.deny with input as plan_input
	not has(findings, "iam.admin_wildcard", "aws_iam_policy.deny_outside_region")
	not has(findings, "iam.passrole_wildcard", "aws_iam_role_policy.deny_pass_any")
	not has(findings, "iam.admin_wildcard", "data.aws_iam_policy_document.guardrail")
	warnings := iam.warn with input as plan_input
	not has(warnings, "iam.not_action", "aws_iam_policy.deny_not_action")
}

# The same wide statement: denied as Allow, passes as Deny (JSON policies and documents).
wide_policy(effect) := {"plan": {"resource_changes": [{
	"address": "aws_iam_policy.x",
	"mode": "managed",
	"type": "aws_iam_policy",
	"change": {
		"actions": ["create"],
		"after": {"policy": json.marshal({"Statement": [{
			"Effect": effect,
			"Action": ["*", "iam:PassRole"],
			"Resource": "*",
		}]})},
	},
}]}}

wide_document(effect) := {"plan": {"resource_changes": [{
	"address": "data.aws_iam_policy_document.x",
	"mode": "data",
	"type": "aws_iam_policy_document",
	"change": {
		"actions": ["read"],
		"after": {"statement": [{"effect": effect, "actions": ["*"], "resources": ["*"]}]},
	},
}]}}

test_wide_allow_denied_and_wide_deny_passes if {
	allow := iam.deny with input as wide_policy("Allow")
	has(allow, "iam.admin_wildcard", "aws_iam_policy.x")
	has(allow, "iam.passrole_wildcard", "aws_iam_policy.x")
	count(iam.deny) == 0 with input as wide_policy("Deny")
	has(iam.deny, "iam.admin_wildcard", "data.aws_iam_policy_document.x") with input as wide_document("Allow")
	count(iam.deny) == 0 with input as wide_document("Deny")
}
