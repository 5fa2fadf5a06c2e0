package kubernetes.podsecurity_test

import data.kubernetes.podsecurity

fixture := data.kubernetes.testdata.workloads

manifests_input(deployment) := {"manifests": [deployment], "context": fixture.context}

has(findings, rule) if {
	some finding in findings
	finding.rule == rule
	finding.resource == "Deployment/search/retriever"
}

test_restricted_pod_passes if {
	count(podsecurity.deny) == 0 with input as manifests_input(fixture.deployment)
}

test_privileged_container_denied if {
	patched := json.patch(fixture.deployment, [{
		"op": "add",
		"path": "/spec/template/spec/containers/0/securityContext/privileged",
		"value": true,
	}])
	findings := podsecurity.deny with input as manifests_input(patched)
	has(findings, "podsecurity.privileged")
}

test_host_path_volume_denied if {
	patched := json.patch(fixture.deployment, [{
		"op": "add",
		"path": "/spec/template/spec/volumes",
		"value": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}],
	}])
	findings := podsecurity.deny with input as manifests_input(patched)
	has(findings, "podsecurity.host_path")
}

test_host_network_and_pid_denied if {
	patched := json.patch(fixture.deployment, [
		{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true},
		{"op": "add", "path": "/spec/template/spec/hostPID", "value": true},
	])
	findings := podsecurity.deny with input as manifests_input(patched)
	messages := {finding.message | some finding in findings; finding.rule == "podsecurity.host_namespace"}
	count(messages) == 2
}

test_missing_run_as_non_root_denied if {
	patched := json.patch(fixture.deployment, [{
		"op": "remove",
		"path": "/spec/template/spec/securityContext/runAsNonRoot",
	}])
	findings := podsecurity.deny with input as manifests_input(patched)
	has(findings, "podsecurity.run_as_non_root")
}

test_container_override_to_root_denied if {
	patched := json.patch(fixture.deployment, [{
		"op": "add",
		"path": "/spec/template/spec/containers/0/securityContext/runAsUser",
		"value": 0,
	}])
	findings := podsecurity.deny with input as manifests_input(patched)
	has(findings, "podsecurity.run_as_non_root")
}

test_container_level_non_root_passes if {
	patched := json.patch(fixture.deployment, [
		{"op": "remove", "path": "/spec/template/spec/securityContext"},
		{"op": "add", "path": "/spec/template/spec/containers/0/securityContext/runAsNonRoot", "value": true},
		{"op": "add", "path": "/spec/template/spec/initContainers/0/securityContext", "value": {"runAsNonRoot": true}},
	])
	count(podsecurity.deny) == 0 with input as manifests_input(patched)
}

test_pod_uid_zero_denied if {
	patched := json.patch(fixture.deployment, [{
		"op": "replace",
		"path": "/spec/template/spec/securityContext/runAsUser",
		"value": 0,
	}])
	findings := podsecurity.deny with input as manifests_input(patched)
	has(findings, "podsecurity.run_as_non_root")
}
