# METADATA
# title: Team and cost-center labels
# description: |
#   Every object, and the pod template of every workload, carries team and cost-center
#   labels (cost allocation reads them from pods); team must be the team that owns the folder.
package kubernetes.labels

import data.kubernetes.lib

required := ["team", "cost-center"]

# METADATA
# description: object without team or cost-center labels
deny contains lib.finding("labels.required", lib.id(obj), message) if {
	some obj in lib.manifests
	missing := [key | some key in required; not has_label(lib.labels(obj), key)]
	count(missing) > 0
	message := sprintf(
		"%s lacks labels %v; add them under metadata.labels (kustomize: labels with includeSelectors: false)",
		[lib.id(obj), missing],
	)
}

# METADATA
# description: pod template without team or cost-center labels
deny contains lib.finding("labels.required", workload.id, message) if {
	some workload in lib.workloads
	workload.object.kind != "Pod"
	missing := [key | some key in required; not has_label(workload.template_labels, key)]
	count(missing) > 0
	message := sprintf(
		"%s: pod template lacks labels %v, so its pods are not billed to the team; add them to spec.template.metadata.labels",
		[workload.id, missing],
	)
}

# METADATA
# description: team label names another team
deny contains lib.finding("labels.mismatch", lib.id(obj), message) if {
	is_string(lib.context.team)
	some obj in lib.manifests
	team := lib.labels(obj).team
	team != lib.context.team
	message := sprintf(
		"%s is labelled team=%q but lives in team %q's folder; set team: %q",
		[lib.id(obj), team, lib.context.team, lib.context.team],
	)
}

has_label(labels, key) if {
	is_string(labels[key])
	labels[key] != ""
}
