package kubernetes.resources_test

import data.kubernetes.resources

fixture := data.kubernetes.testdata.workloads

manifests_input(deployment) := {"manifests": [deployment], "context": fixture.context}

test_requests_and_limits_set_pass if {
	count(resources.deny) == 0 with input as manifests_input(fixture.deployment)
	count(resources.warn) == 0 with input as manifests_input(fixture.deployment)
}

test_missing_memory_request_denied if {
	patched := json.patch(fixture.deployment, [{
		"op": "remove",
		"path": "/spec/template/spec/containers/0/resources/requests/memory",
	}])
	findings := resources.deny with input as manifests_input(patched)
	some finding in findings
	finding.rule == "resources.requests"
	finding.resource == "Deployment/search/retriever"
	contains(finding.message, "requests.memory")
}

test_init_container_checked_too if {
	patched := json.patch(fixture.deployment, [{
		"op": "remove",
		"path": "/spec/template/spec/initContainers/0/resources",
	}])
	findings := resources.deny with input as manifests_input(patched)
	some finding in findings
	contains(finding.message, `"warmup"`)
}

test_missing_memory_limit_denied if {
	patched := json.patch(fixture.deployment, [{
		"op": "remove",
		"path": "/spec/template/spec/containers/0/resources/limits/memory",
	}])
	findings := resources.deny with input as manifests_input(patched)
	some finding in findings
	finding.rule == "resources.limits"
}

test_missing_cpu_limit_only_warns if {
	patched := json.patch(fixture.deployment, [{
		"op": "remove",
		"path": "/spec/template/spec/containers/0/resources/limits/cpu",
	}])
	count(resources.deny) == 0 with input as manifests_input(patched)
	warnings := resources.warn with input as manifests_input(patched)
	some finding in warnings
	finding.rule == "resources.limits"
}
