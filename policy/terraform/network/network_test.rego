package terraform.network_test

import data.terraform.network

plan_input := {"plan": data.terraform.testdata.network, "context": {"team": "search", "env": "prod"}}

has(findings, address) if {
	some finding in findings
	finding.rule == "network.public_ingress"
	finding.resource == address
}

test_https_to_public_load_balancer_passes if {
	findings := network.deny with input as plan_input
	not has(findings, "aws_security_group.public_lb")
	not has(findings, "aws_security_group_rule.lb_http")
	not has(findings, "aws_vpc_security_group_ingress_rule.lb_https_v6")
	not has(findings, "aws_vpc_security_group_ingress_rule.tagged_rule")
}

test_private_ranges_and_egress_pass if {
	findings := network.deny with input as plan_input
	not has(findings, "aws_security_group.internal")
	not has(findings, "aws_security_group_rule.egress_any")
}

test_ssh_from_anywhere_denied if {
	findings := network.deny with input as plan_input
	some finding in findings
	finding.resource == "aws_security_group.bastion"
	contains(finding.message, "0.0.0.0/0 on tcp 22-22")
}

test_https_without_load_balancer_tag_denied if {
	findings := network.deny with input as plan_input
	has(findings, "aws_security_group.web_untagged")
}

test_ipv6_anywhere_denied if {
	findings := network.deny with input as plan_input
	has(findings, "aws_security_group_rule.ssh_v6")
}

test_all_traffic_rule_denied if {
	findings := network.deny with input as plan_input
	some finding in findings
	finding.resource == "aws_vpc_security_group_ingress_rule.all_traffic"
	contains(finding.message, "all ports")
}
