package terraform.bedrock_test

import data.terraform.bedrock

baseline := {
	"team": "search",
	"env": "prod",
	"stack": "aws/search/prod/account-baseline",
	"stack_kind": "account-baseline",
}

plan_input := {"plan": data.terraform.testdata.bedrock, "context": baseline}

silent := "module.legacy.aws_bedrock_model_invocation_logging_configuration.silent"

test_logging_to_cloudwatch_passes if {
	findings := bedrock.deny with input as plan_input
	every finding in findings {
		finding.resource != "aws_bedrock_model_invocation_logging_configuration.main"
	}
}

test_logging_without_destination_denied if {
	findings := bedrock.deny with input as plan_input
	some finding in findings
	finding.rule == "bedrock.invocation_logging"
	finding.resource == silent
}

test_text_delivery_off_warns if {
	warnings := bedrock.warn with input as plan_input
	some finding in warnings
	finding.resource == silent
	contains(finding.message, "text_data_delivery_enabled")
}

# The real tofu envelope has no Bedrock configuration at all.
test_baseline_without_logging_denied if {
	findings := bedrock.deny with input as {"plan": data.terraform.testdata.envelope, "context": baseline}
	some finding in findings
	finding.resource == "aws/search/prod/account-baseline"
}

test_other_stacks_not_required_to_log if {
	other := {"plan": data.terraform.testdata.envelope, "context": {"stack_kind": "stack"}}
	count(bedrock.deny) == 0 with input as other
}

test_object_shaped_logging_config_of_provider_5 if {
	rc := {
		"address": "aws_bedrock_model_invocation_logging_configuration.v5",
		"mode": "managed",
		"type": "aws_bedrock_model_invocation_logging_configuration",
		"name": "v5",
		"change": {
			"actions": ["create"],
			"after": {"logging_config": {"text_data_delivery_enabled": true, "s3_config": {"bucket_name": "logs"}}},
			"after_unknown": {},
		},
	}
	count(bedrock.deny) == 0 with input as {"plan": {"resource_changes": [rc]}, "context": baseline}
}

calls_baseline := object.union(
	data.terraform.testdata.envelope,
	{"configuration": {"root_module": {"module_calls": {"baseline": {"source": "../../../modules/account-baseline"}}}}},
)

test_stack_calling_the_baseline_module_must_log if {
	ctx := {"stack_kind": "stack", "stack": "aws/search/dev"}
	findings := bedrock.deny with input as {"plan": calls_baseline, "context": ctx}
	some finding in findings
	finding.rule == "bedrock.invocation_logging"
	finding.resource == "aws/search/dev"
}
