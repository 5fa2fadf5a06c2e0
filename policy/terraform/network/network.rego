# METADATA
# title: No open ingress
# description: |
#   Security groups accept traffic from 0.0.0.0/0 or ::/0 only on TCP 80 and 443, and only
#   when the security group is a public load balancer's: tagged exposure = "public-lb"
#   (on the aws_security_group, or on the aws_vpc_security_group_ingress_rule itself).
package terraform.network

import data.terraform.lib

public_cidrs := {"0.0.0.0/0", "::/0"}

web_ports := {80, 443}

# Every ingress rule this plan creates or changes, normalised:
# {address, cidrs, from, to, protocol, group}
ingress contains rule if {
	some rc in lib.changing
	rc.type == "aws_security_group"
	some block in lib.as_list(object.get(rc.change.after, "ingress", []))
	rule := {
		"address": rc.address,
		"cidrs": cidrs(block),
		"from": block.from_port,
		"to": block.to_port,
		"protocol": lower(sprintf("%v", [block.protocol])),
		"public_lb": is_public_lb(rc),
	}
}

ingress contains rule if {
	some rc in lib.changing
	rc.type == "aws_security_group_rule"
	rc.change.after.type == "ingress"
	after := rc.change.after
	rule := {
		"address": rc.address,
		"cidrs": cidrs(after),
		"from": after.from_port,
		"to": after.to_port,
		"protocol": lower(sprintf("%v", [after.protocol])),
		"public_lb": group_is_public_lb(rc),
	}
}

ingress contains rule if {
	some rc in lib.changing
	rc.type == "aws_vpc_security_group_ingress_rule"
	after := rc.change.after
	rule := {
		"address": rc.address,
		"cidrs": [cidr | some attr in ["cidr_ipv4", "cidr_ipv6"]; cidr := after[attr]; cidr != null],
		"from": object.get(after, "from_port", null),
		"to": object.get(after, "to_port", null),
		"protocol": lower(sprintf("%v", [after.ip_protocol])),
		"public_lb": rule_or_group_is_public_lb(rc),
	}
}

cidrs(block) := array.concat(
	lib.as_list(object.get(block, "cidr_blocks", [])),
	lib.as_list(object.get(block, "ipv6_cidr_blocks", [])),
)

public_lb(rc) if object.get(lib.tags(rc), "exposure", "") == "public-lb"

is_public_lb(rc) if public_lb(rc)

else := false

rule_or_group_is_public_lb(rc) if public_lb(rc)

else := group_is_public_lb(rc)

# The rule's security group (same plan) is tagged as a public load balancer's.
group_is_public_lb(rc) if {
	some group in lib.targets(rc, "security_group_id")
	group.type == "aws_security_group"
	public_lb(group)
}

else := false

# METADATA
# description: ingress from anywhere that is not web traffic to a public load balancer
deny contains lib.finding("network.public_ingress", rule.address, message) if {
	some rule in ingress
	some cidr in rule.cidrs
	cidr in public_cidrs
	not allowed_web(rule)
	message := sprintf(
		concat(" ", [
			"%s allows ingress from %s on %s; only TCP 80/443 to a security group tagged",
			"exposure = \"public-lb\" may be open to the internet;",
			"narrow the CIDR or put the service behind a load balancer",
		]),
		[rule.address, cidr, describe_ports(rule)],
	)
}

allowed_web(rule) if {
	rule.public_lb == true
	rule.protocol in {"tcp", "6"}
	rule.from == rule.to
	rule.from in web_ports
}

describe_ports(rule) := "all ports" if rule.protocol in {"-1", "all"}

describe_ports(rule) := sprintf("%s %v-%v", [rule.protocol, rule.from, rule.to]) if not rule.protocol in {"-1", "all"}
