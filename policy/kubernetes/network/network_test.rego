package kubernetes.network_test

import data.kubernetes.network

fixture := data.kubernetes.testdata.workloads

test_namespace_with_default_deny_passes if {
	objects := [fixture.namespace, fixture.default_deny]
	count(network.deny) == 0 with input as {"manifests": objects, "context": fixture.context}
}

test_namespace_without_policy_denied if {
	findings := network.deny with input as {"manifests": [fixture.namespace], "context": fixture.context}
	some finding in findings
	finding.rule == "network.default_deny"
	finding.resource == "Namespace/search"
}

test_policy_that_allows_ingress_is_not_default_deny if {
	allowing := json.patch(fixture.default_deny, [{"op": "add", "path": "/spec/ingress", "value": [{}]}])
	findings := network.deny with input as {"manifests": [fixture.namespace, allowing], "context": fixture.context}
	count(findings) == 1
}

test_policy_selecting_some_pods_is_not_default_deny if {
	partial := json.patch(fixture.default_deny, [{
		"op": "add",
		"path": "/spec/podSelector/matchLabels",
		"value": {"app": "retriever"},
	}])
	findings := network.deny with input as {"manifests": [fixture.namespace, partial], "context": fixture.context}
	count(findings) == 1
}

test_policy_in_another_namespace_does_not_count if {
	elsewhere := json.patch(fixture.default_deny, [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	findings := network.deny with input as {"manifests": [fixture.namespace, elsewhere], "context": fixture.context}
	count(findings) == 1
}
