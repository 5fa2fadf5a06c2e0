# METADATA
# title: Shared helpers for plan policies
# description: |
#   Reads `tofu show -json` output (input.plan) once: resource changes by kind,
#   the configuration block of each change (for references between resources),
#   tags, and normalised IAM policy statements. Every terraform.* package uses these
#   instead of walking the plan itself.
package terraform.lib

resource_changes := object.get(input, ["plan", "resource_changes"], [])

context := object.get(input, "context", {})

# Managed resources that will exist after apply (create, update, replace, no-op).
present contains rc if {
	some rc in resource_changes
	rc.mode == "managed"
	rc.change.after != null
}

# Present resources by type, computed once (rules look up companions of one type).
# regal ignore:prefer-set-or-object-rule
present_by_type := {type: [rc | some rc in present; rc.type == type] |
	some type in {rc.type | some rc in present}
}

# Managed resources this plan creates or changes; attribute rules look only at these so an
# untouched legacy resource does not block an unrelated change.
changing contains rc if {
	some rc in present
	some action in rc.change.actions
	action in {"create", "update"}
}

# Managed resources this plan deletes, alone or as part of a replacement.
deleting contains rc if {
	some rc in resource_changes
	rc.mode == "managed"
	"delete" in rc.change.actions
}

# after values, with null meaning "not set".
after(rc, attr) := rc.change.after[attr] if rc.change.after[attr] != null

# true when the value of attr is only known after apply.
unknown(rc, attr) if rc.change.after_unknown[attr] == true

# A scalar or a list as a list (IAM JSON allows both; nested blocks are lists of one).
as_list(x) := x if is_array(x)

as_list(x) := [x] if {
	not is_array(x)
	x != null
}

as_list(null) := []

# The instance key of a resource change ("" when it has no count/for_each).
index_of(rc) := sprintf("%v", [rc.index])

index_of(rc) := "" if not "index" in object.keys(rc)

module_of(rc) := object.get(rc, "module_address", "")

# Module path without instance keys: module.a["x"].module.b[0] -> module.a.module.b
module_path(rc) := regex.replace(module_of(rc), `\[[^\]]*\]`, "")

# The configuration block of each resource change, keyed by the change's address.
# Modules are looked up three calls deep; deeper nesting falls back to value matching.
resource_config[rc.address] := cfg if {
	some rc in resource_changes
	cfg := config_by_path[config_key(rc)]
}

config_key(rc) := concat(".", [module_path(rc), rc.type, rc.name]) if {
	rc.mode == "managed"
	module_path(rc) != ""
}

config_key(rc) := concat(".", [rc.type, rc.name]) if {
	rc.mode == "managed"
	module_path(rc) == ""
}

config_key(rc) := concat(".", ["data", rc.type, rc.name]) if {
	rc.mode == "data"
	module_path(rc) == ""
}

config_key(rc) := concat(".", [module_path(rc), "data", rc.type, rc.name]) if {
	rc.mode == "data"
	module_path(rc) != ""
}

root_config := object.get(input, ["plan", "configuration", "root_module"], {})

config_modules[""] := root_config

config_modules[path] := mod if {
	some name, call in object.get(root_config, "module_calls", {})
	path := sprintf("module.%s", [name])
	mod := call.module
}

config_modules[path] := mod if {
	some outer, call in object.get(root_config, "module_calls", {})
	some inner, nested in object.get(call.module, "module_calls", {})
	path := sprintf("module.%s.module.%s", [outer, inner])
	mod := nested.module
}

config_modules[path] := mod if {
	some a, ca in object.get(root_config, "module_calls", {})
	some b, cb in object.get(ca.module, "module_calls", {})
	some c, cc in object.get(cb.module, "module_calls", {})
	path := sprintf("module.%s.module.%s.module.%s", [a, b, c])
	mod := cc.module
}

# A complete object on purpose: OPA evaluates it once and caches it, where a partial object
# rule with a computed key is re-evaluated on every lookup (25 s instead of 0.2 s for a
# 1,000-resource plan; see bench/policy).
# regal ignore:prefer-set-or-object-rule
config_by_path := {key: res |
	some path, mod in config_modules
	some res in object.get(mod, "resources", [])
	key := concat(".", [p | some p in [path, res.address]; p != ""])
}

# References (as written in the configuration) of one argument of a resource change.
references(rc, attr) := object.get(resource_config, [rc.address, "expressions", attr, "references"], [])

# Links between resources (a bucket's public access block, a rule's security group) go
# through one argument of the dependent resource: a configuration reference to the target
# (same module instance, same or no instance key), or a known value equal to the target's
# id, bucket or arn. Both sides are turned into keys and indexed once, so finding the
# companions of every bucket stays linear in the size of the plan.
link_attributes := {"bucket", "security_group_id"}

# Keys a resource is known by as a link target.
target_keys(rc) := {sprintf("ref|%s|%s.%s", [module_of(rc), rc.type, rc.name])} | {sprintf("val|%s", [v]) |
	some key in ["id", "bucket", "arn"]
	v := after(rc, key)
	is_string(v)
}

# Keys a dependent points at through argument attr.
dependent_keys(rc, attr) := {sprintf("ref|%s|%s", [module_of(rc), target]) |
	some ref in references(rc, attr)
	parts := split(ref, ".")
	count(parts) >= 2
	target := concat(".", [parts[0], regex.replace(parts[1], `\[.*$`, "")])
} | {sprintf("val|%s", [v]) |
	v := after(rc, attr)
	is_string(v)
}

# attr|key -> addresses of dependents; always read whole (object.get), so OPA builds and
# caches it once. Addresses, not change objects: hashing large objects into sets is slow.
dependents_index[concat("|", [attr, key])] contains rc.address if {
	some rc in present
	some attr in link_attributes
	some key in dependent_keys(rc, attr)
}

targets_index[key] contains rc.address if {
	some rc in present
	some key in target_keys(rc)
}

# regal ignore:prefer-set-or-object-rule
present_by_address := {rc.address: rc | some rc in present}

# Present resources that point at target through attr.
dependents(attr, target) := {rc |
	some key in target_keys(target)
	some address in object.get(dependents_index, concat("|", [attr, key]), set())
	rc := present_by_address[address]
	same_instance(rc, target)
}

# Present resources that dependent points at through attr.
targets(dependent, attr) := {rc |
	some key in dependent_keys(dependent, attr)
	some address in object.get(targets_index, key, set())
	rc := present_by_address[address]
	same_instance(dependent, rc)
}

same_instance(a, b) if index_of(a) == index_of(b)

same_instance(a, _) if index_of(a) == ""

same_instance(_, b) if index_of(b) == ""

# Tags a resource will carry after apply, provider default_tags included.
tags(rc) := rc.change.after.tags_all if is_object(rc.change.after.tags_all)

tags(rc) := rc.change.after.tags if {
	not is_object(object.get(rc.change.after, "tags_all", null))
	is_object(rc.change.after.tags)
}

tags(rc) := {} if {
	not is_object(object.get(rc.change.after, "tags_all", null))
	not is_object(object.get(rc.change.after, "tags", null))
}

# The provider block a resource uses declares default_tags, or cannot be told (then it may).
provider_default_tags(rc) if not provider_config_of(rc)

provider_default_tags(rc) if "default_tags" in object.keys(object.get(provider_config_of(rc), "expressions", {}))

provider_config_of(rc) := cfg if {
	key := object.get(resource_config, [rc.address, "provider_config_key"], "")
	cfg := object.get(input, ["plan", "configuration", "provider_config", key], null)
	cfg != null
}

# Taggable: the provider schema has tags_all (every taggable AWS resource does).
taggable(rc) if "tags_all" in object.keys(rc.change.after)

taggable(rc) if "tags_all" in object.keys(object.get(rc.change, "after_unknown", {}))

# Data sources the plan knows: deferred reads in resource_changes and reads done at plan time.
data_sources contains ds if {
	some rc in resource_changes
	rc.mode == "data"
	ds := {"address": rc.address, "type": rc.type, "values": object.get(rc.change, "after", {})}
}

data_sources contains ds if {
	some mod in state_modules
	some res in object.get(mod, "resources", [])
	res.mode == "data"
	ds := {"address": res.address, "type": res.type, "values": res.values}
}

state_root := object.get(input, ["plan", "prior_state", "values", "root_module"], {})

state_modules contains state_root

state_modules contains child if some child in object.get(state_root, "child_modules", [])

state_modules contains grandchild if {
	some child in object.get(state_root, "child_modules", [])
	some grandchild in object.get(child, "child_modules", [])
}

# IAM policy JSON (a string) as a list of normalised statements; [] when not known or not JSON.
json_statements(doc) := [normal_json_statement(s) | some s in as_list(json.unmarshal(doc).Statement)] if {
	is_string(doc)
	json.is_valid(doc)
}

json_statements(doc) := [] if not is_string(doc)

json_statements(doc) := [] if {
	is_string(doc)
	not json.is_valid(doc)
}

normal_json_statement(s) := {
	"effect": object.get(s, "Effect", "Allow"),
	"actions": [lower(a) | some a in as_list(object.get(s, "Action", []))],
	"not_actions": as_list(object.get(s, "NotAction", [])),
	"resources": as_list(object.get(s, "Resource", [])),
	"conditions": [{"test": test, "variable": lower(variable), "values": as_list(values)} |
		some test, by_variable in object.get(s, "Condition", {})
		some variable, values in by_variable
	],
}

effect_or_allow(effect) := effect if is_string(effect)

effect_or_allow(effect) := "Allow" if not is_string(effect)

# aws_iam_policy_document statement blocks, normalised like JSON statements.
block_statements(values) := [normal_block_statement(s) | some s in as_list(object.get(values, "statement", []))]

normal_block_statement(s) := {
	"effect": effect_or_allow(object.get(s, "effect", null)),
	"actions": [lower(a) | some a in as_list(object.get(s, "actions", []))],
	"not_actions": as_list(object.get(s, "not_actions", [])),
	"resources": as_list(object.get(s, "resources", [])),
	"conditions": [{"test": c.test, "variable": lower(c.variable), "values": as_list(c.values)} |
		some c in as_list(object.get(s, "condition", []))
	],
}

# A finding in the shape every package returns.
finding(rule, resource, message) := {"rule": rule, "resource": resource, "message": message}
