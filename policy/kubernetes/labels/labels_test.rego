package kubernetes.labels_test

import data.kubernetes.labels

fixture := data.kubernetes.testdata.workloads

manifests_input(objects) := {"manifests": objects, "context": fixture.context}

test_labelled_objects_pass if {
	objects := [fixture.namespace, fixture.quota, fixture.default_deny, fixture.deployment]
	count(labels.deny) == 0 with input as manifests_input(objects)
}

test_kustomization_files_are_not_objects if {
	kustomization := {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": []}
	count(labels.deny) == 0 with input as manifests_input([kustomization])
}

test_object_without_labels_denied if {
	service := {
		"apiVersion": "v1",
		"kind": "Service",
		"metadata": {"name": "retriever"},
		"spec": {"ports": [{"port": 80}]},
	}
	findings := labels.deny with input as manifests_input([service])
	some finding in findings
	finding.rule == "labels.required"
	finding.resource == "Service/search/retriever"
	contains(finding.message, `"cost-center"`)
}

test_pod_template_without_labels_denied if {
	patched := json.patch(fixture.deployment, [{"op": "remove", "path": "/spec/template/metadata/labels/cost-center"}])
	findings := labels.deny with input as manifests_input([patched])
	some finding in findings
	contains(finding.message, "pod template")
}

test_label_of_another_team_denied if {
	patched := json.patch(fixture.deployment, [{"op": "replace", "path": "/metadata/labels/team", "value": "assistant"}])
	findings := labels.deny with input as manifests_input([patched])
	some finding in findings
	finding.rule == "labels.mismatch"
}

test_cluster_scoped_objects_named_without_namespace if {
	namespace := json.patch(fixture.namespace, [{"op": "remove", "path": "/metadata/labels"}])
	findings := labels.deny with input as manifests_input([namespace])
	some finding in findings
	finding.resource == "Namespace/search"
}
