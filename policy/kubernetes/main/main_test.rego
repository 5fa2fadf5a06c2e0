package kubernetes.main_test

import data.kubernetes.main

fixture := data.kubernetes.testdata.workloads

test_compliant_folder_passes if {
	objects := [fixture.namespace, fixture.quota, fixture.default_deny, fixture.deployment]
	findings := main.deny with input as {"manifests": objects, "context": fixture.context}
	count(findings) == 0
	count(main.loaded) == 6
}

test_findings_of_every_package_are_collected if {
	pod := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "debug"},
		"spec": {"hostNetwork": true, "containers": [{"name": "shell", "image": "busybox"}]},
	}
	findings := main.deny with input as {"manifests": [fixture.namespace, pod], "context": fixture.context}
	rules := {finding.rule | some finding in findings}
	every rule in [
		"resources.requests",
		"resources.limits",
		"podsecurity.host_namespace",
		"podsecurity.run_as_non_root",
		"images.registry",
		"images.pinned",
		"labels.required",
		"network.default_deny",
	] {
		rule in rules
	}
	warnings := main.warn with input as {"manifests": [pod], "context": fixture.context}
	count(warnings) == 1
}
