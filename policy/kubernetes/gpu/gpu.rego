# METADATA
# title: GPUs only in namespaces with a GPU quota
# description: |
#   A container that asks for nvidia.com/gpu runs only in a namespace whose ResourceQuota
#   (among the same manifests) sets requests.nvidia.com/gpu: the platform grants GPUs per
#   team through that quota, and an unquota'd namespace could take every GPU node.
package kubernetes.gpu

import data.kubernetes.lib

resource_name := "nvidia.com/gpu"

quota_key := "requests.nvidia.com/gpu"

# METADATA
# description: GPU request in a namespace without a GPU quota
deny contains lib.finding("gpu.namespace_quota", item.workload.id, message) if {
	some item in lib.containers
	requests_gpu(item.container)
	namespace := lib.namespace(item.workload.object)
	not namespace in quota_namespaces
	message := sprintf(
		concat(" ", [
			"%s: container %q requests %s but namespace %q has no ResourceQuota with %s;",
			"ask the platform team to grant GPUs to the namespace (idlc.yaml gpu) or remove the request",
		]),
		[item.workload.id, item.container.name, resource_name, namespace, quota_key],
	)
}

quota_namespaces contains lib.namespace(quota) if {
	some quota in lib.manifests
	quota.kind == "ResourceQuota"
	object.get(quota, ["spec", "hard", quota_key], null) != null
}

requests_gpu(container) if {
	some kind in ["requests", "limits"]
	value := container.resources[kind][resource_name]
	to_number(value) > 0
}
