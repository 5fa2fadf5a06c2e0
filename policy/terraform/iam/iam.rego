# METADATA
# title: IAM least privilege
# description: |
#   No policy grants every action on every resource, and none allows iam:PassRole on "*"
#   (passing any role to any service is privilege escalation). Checked on policy JSON when
#   it is known at plan time and on aws_iam_policy_document statements otherwise.
package terraform.iam

import data.terraform.lib

# Resource type -> attribute holding policy JSON.
policy_attributes := {
	"aws_iam_policy": "policy",
	"aws_iam_role_policy": "policy",
	"aws_iam_user_policy": "policy",
	"aws_iam_group_policy": "policy",
	"aws_iam_permission_set_inline_policy": "inline_policy",
	"aws_ssoadmin_permission_set_inline_policy": "inline_policy",
}

# Every (address, statement) pair this plan would grant.
statements contains {"address": rc.address, "statement": statement} if {
	some rc in lib.changing
	attr := policy_attributes[rc.type]
	some statement in lib.json_statements(lib.after(rc, attr))
}

statements contains {"address": rc.address, "statement": statement} if {
	some rc in lib.changing
	rc.type == "aws_iam_role"
	some inline in lib.as_list(object.get(rc.change.after, "inline_policy", []))
	some statement in lib.json_statements(object.get(inline, "policy", null))
}

statements contains {"address": ds.address, "statement": statement} if {
	some ds in lib.data_sources
	ds.type == "aws_iam_policy_document"
	some statement in lib.block_statements(ds.values)
}

# METADATA
# description: a statement allows every action on every resource
deny contains lib.finding("iam.admin_wildcard", grant.address, message) if {
	some grant in statements
	grant.statement.effect == "Allow"
	"*" in grant.statement.actions
	"*" in grant.statement.resources
	message := sprintf(
		"%s allows Action \"*\" on Resource \"*\" (full admin); list the actions and resource ARNs the workload needs",
		[grant.address],
	)
}

# METADATA
# description: a statement allows iam:PassRole on every role
deny contains lib.finding("iam.passrole_wildcard", grant.address, message) if {
	some grant in statements
	grant.statement.effect == "Allow"
	some action in grant.statement.actions
	action in {"iam:passrole", "iam:*", "iam:pass*"}
	"*" in grant.statement.resources
	message := sprintf(
		"%s allows %s on Resource \"*\"; name the role ARNs that may be passed and add Condition iam:PassedToService",
		[grant.address, action],
	)
}

# METADATA
# description: Allow with NotAction on every resource is close to admin
warn contains lib.finding("iam.not_action", grant.address, message) if {
	some grant in statements
	grant.statement.effect == "Allow"
	count(grant.statement.not_actions) > 0
	"*" in grant.statement.resources
	message := sprintf(
		"%s allows everything except %v on Resource \"*\"; prefer an explicit Action list",
		[grant.address, grant.statement.not_actions],
	)
}
