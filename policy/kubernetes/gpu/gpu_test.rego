package kubernetes.gpu_test

import data.kubernetes.gpu

fixture := data.kubernetes.testdata.workloads

test_gpu_request_in_namespace_with_quota_passes if {
	count(gpu.deny) == 0 with input as {"manifests": [fixture.quota, fixture.deployment], "context": fixture.context}
}

test_gpu_request_without_quota_denied if {
	findings := gpu.deny with input as {"manifests": [fixture.deployment], "context": fixture.context}
	some finding in findings
	finding.rule == "gpu.namespace_quota"
	finding.resource == "Deployment/search/retriever"
}

test_quota_without_gpu_key_does_not_count if {
	quota := json.patch(fixture.quota, [{"op": "remove", "path": "/spec/hard/requests.nvidia.com~1gpu"}])
	findings := gpu.deny with input as {"manifests": [quota, fixture.deployment], "context": fixture.context}
	count(findings) == 1
}

test_cpu_only_workload_needs_no_quota if {
	cpu_only := json.patch(fixture.deployment, [
		{"op": "remove", "path": "/spec/template/spec/containers/0/resources/requests/nvidia.com~1gpu"},
		{"op": "remove", "path": "/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu"},
	])
	count(gpu.deny) == 0 with input as {"manifests": [cpu_only], "context": fixture.context}
}
