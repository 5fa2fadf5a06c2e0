# METADATA
# title: Shared helpers for manifest policies
# description: |
#   input.manifests is every Kubernetes object of one folder (all YAML documents), and
#   input.context the team, env, default namespace and allowed registries idlc derived
#   from the path and idlc.yaml. Findings name objects as Kind/namespace/name
#   (Kind/name for cluster-scoped kinds).
package kubernetes.lib

manifests := [m |
	some m in object.get(input, "manifests", [])
	is_object(m)
	is_string(m.kind)
	not startswith(object.get(m, "apiVersion", ""), "kustomize.config.k8s.io/")
]

context := object.get(input, "context", {})

cluster_scoped := {
	"Namespace",
	"ClusterRole",
	"ClusterRoleBinding",
	"CustomResourceDefinition",
	"PersistentVolume",
	"StorageClass",
	"PriorityClass",
	"NodePool",
	"EC2NodeClass",
	"IngressClass",
	"ValidatingWebhookConfiguration",
	"MutatingWebhookConfiguration",
}

name(obj) := object.get(obj, ["metadata", "name"], "(unnamed)")

# The namespace an object lands in: its own, else the folder's default (kustomize namespace).
namespace(obj) := obj.metadata.namespace if is_string(obj.metadata.namespace)

namespace(obj) := object.get(context, "namespace", "default") if {
	not is_string(object.get(obj, ["metadata", "namespace"], null))
}

id(obj) := sprintf("%s/%s", [obj.kind, name(obj)]) if obj.kind in cluster_scoped

id(obj) := sprintf("%s/%s/%s", [obj.kind, namespace(obj), name(obj)]) if not obj.kind in cluster_scoped

labels(obj) := object.get(obj, ["metadata", "labels"], {})

# Workload kind -> path of its pod spec.
pod_spec_paths := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

# Every workload with its pod spec: {object, id, spec, template_labels}.
workloads contains workload if {
	some obj in manifests
	path := pod_spec_paths[obj.kind]
	spec := object.get(obj, path, {})
	workload := {
		"object": obj,
		"id": id(obj),
		"spec": spec,
		"template_labels": template_labels(obj),
	}
}

template_labels(obj) := object.get(obj, ["metadata", "labels"], {}) if obj.kind == "Pod"

template_labels(obj) := object.get(obj, ["spec", "template", "metadata", "labels"], {}) if {
	obj.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
}

template_labels(obj) := object.get(obj, ["spec", "jobTemplate", "spec", "template", "metadata", "labels"], {}) if {
	obj.kind == "CronJob"
}

# Every container of every workload (init containers included): {workload, container, kind}.
containers contains {"workload": workload, "container": container, "kind": kind} if {
	some workload in workloads
	some kind in ["containers", "initContainers"]
	some container in object.get(workload.spec, kind, [])
}

finding(rule, resource, message) := {"rule": rule, "resource": resource, "message": message}
