# METADATA
# title: Bedrock model invocation logging in every account
# description: |
#   The account-baseline stack of each account (context.stack_kind == "account-baseline",
#   which idlc sets for stacks whose folder is named account-baseline, or any stack calling
#   the account-baseline module) manages
#   aws_bedrock_model_invocation_logging_configuration with a CloudWatch or S3 destination,
#   so prompts and completions are auditable.
package terraform.bedrock

import data.terraform.lib

type := "aws_bedrock_model_invocation_logging_configuration"

baseline if lib.context.stack_kind == "account-baseline"

# A stack that calls the account-baseline module is the account's baseline too, wherever it
# lives (the example teams compose it into their env stacks).
baseline if {
	some call in object.get(input.plan, ["configuration", "root_module", "module_calls"], {})
	endswith(trim_right(object.get(call, "source", ""), "/"), "account-baseline")
}

configurations contains rc if {
	some rc in lib.present
	rc.type == type
}

# METADATA
# description: the account baseline does not configure invocation logging
deny contains lib.finding("bedrock.invocation_logging", lib.context.stack, message) if {
	baseline
	count(configurations) == 0
	message := sprintf(
		concat(" ", [
			"account-baseline stack %s has no %s;",
			"add one with logging_config { cloudwatch_config { ... } } or s3_config",
		]),
		[object.get(lib.context, "stack", "(stack)"), type],
	)
}

# METADATA
# description: invocation logging without any destination
deny contains lib.finding("bedrock.invocation_logging", rc.address, message) if {
	baseline
	some rc in configurations
	not has_destination(rc)
	message := sprintf(
		"%s has no destination; set logging_config.cloudwatch_config or logging_config.s3_config",
		[rc.address],
	)
}

# METADATA
# description: text prompts and completions are not delivered to the log
warn contains lib.finding("bedrock.invocation_logging", rc.address, message) if {
	baseline
	some rc in configurations
	some config in lib.as_list(rc.change.after.logging_config)
	config.text_data_delivery_enabled == false
	message := sprintf(
		"%s turns text_data_delivery_enabled off, so prompts are not auditable; set it to true",
		[rc.address],
	)
}

# logging_config is a list of one in provider 6.x and an object in 5.x: accept both.
has_destination(rc) if {
	some config in lib.as_list(rc.change.after.logging_config)
	some key in ["cloudwatch_config", "s3_config"]
	count(lib.as_list(object.get(config, key, []))) > 0
}

has_destination(rc) if lib.unknown(rc, "logging_config")
