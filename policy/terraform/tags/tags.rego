# METADATA
# title: Required cost and ownership tags
# description: |
#   Every taggable resource carries team, env, cost-center, owner and managed-by (read from
#   tags_all, so provider default_tags count). team, env and cost-center must be the values
#   the registry (idlc.yaml) gives this stack: a copy-pasted stack cannot bill another team.
package terraform.tags

import data.terraform.lib

required := ["team", "env", "cost-center", "owner", "managed-by"]

# Tag key -> the context field its value must equal.
expected := {"team": "team", "env": "env", "cost-center": "cost_center"}

# METADATA
# description: taggable resources lack a required tag
deny contains lib.finding("tags.required", rc.address, message) if {
	some rc in lib.changing
	lib.taggable(rc)
	not computed_tags(rc)
	missing := [key | some key in required; not has_tag(rc, key)]
	count(missing) > 0
	message := sprintf(
		concat(" ", [
			"%s is missing required tags %v; set them in the provider default_tags",
			"(team, env, cost-center, owner, managed-by) or in tags on the resource",
		]),
		[rc.address, missing],
	)
}

# METADATA
# description: team, env or cost-center tag disagrees with the registry
deny contains lib.finding("tags.mismatch", rc.address, message) if {
	some rc in lib.changing
	lib.taggable(rc)
	some key, field in expected
	want := lib.context[field]
	have := lib.tags(rc)[key]
	have != want
	message := sprintf(
		"%s has tag %s=%q but idlc.yaml assigns %q to this stack; use var.idlc.%s in default_tags instead of a literal",
		[rc.address, key, have, want, field],
	)
}

# METADATA
# description: the tags cannot be checked because they are only known after apply
warn contains lib.finding("tags.unknown", rc.address, message) if {
	some rc in lib.changing
	computed_tags(rc)
	message := sprintf(
		"%s: tags are only known after apply, so required tags could not be checked; avoid computed tag values",
		[rc.address],
	)
}

# tags_all is only known after apply. The AWS provider marks it unknown on every update that
# changes tags, even when all it will hold is known: without provider default_tags it is
# exactly `tags`, which the rules can then check.
computed_tags(rc) if {
	rc.change.after_unknown.tags_all == true
	not only_resource_tags(rc)
}

only_resource_tags(rc) if {
	is_object(rc.change.after.tags)
	not lib.provider_default_tags(rc)
}

has_tag(rc, key) if {
	value := lib.tags(rc)[key]
	is_string(value)
	value != ""
}

# A value computed at apply time still counts as set.
has_tag(rc, key) if rc.change.after_unknown.tags_all[key] == true
