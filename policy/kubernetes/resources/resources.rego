# METADATA
# title: Requests and limits on every container
# description: |
#   Every container and init container requests CPU and memory and limits memory, so the
#   scheduler can place it and a leak cannot starve its neighbours. A missing CPU limit
#   only warns: CPU limits throttle latency-sensitive inference even when the node is idle.
package kubernetes.resources

import data.kubernetes.lib

# METADATA
# description: container without CPU or memory requests
deny contains lib.finding("resources.requests", item.workload.id, message) if {
	some item in lib.containers
	some resource in ["cpu", "memory"]
	not set(item.container, "requests", resource)
	message := sprintf(
		"%s: container %q has no resources.requests.%s; set it to what the container needs at steady state",
		[item.workload.id, item.container.name, resource],
	)
}

# METADATA
# description: container without a memory limit
deny contains lib.finding("resources.limits", item.workload.id, message) if {
	some item in lib.containers
	not set(item.container, "limits", "memory")
	message := sprintf(
		"%s: container %q has no resources.limits.memory; set it (usually equal to requests.memory)",
		[item.workload.id, item.container.name],
	)
}

# METADATA
# description: container without a CPU limit
warn contains lib.finding("resources.limits", item.workload.id, message) if {
	some item in lib.containers
	not set(item.container, "limits", "cpu")
	message := sprintf(
		"%s: container %q has no resources.limits.cpu; fine for latency-sensitive services, set one for batch jobs",
		[item.workload.id, item.container.name],
	)
}

set(container, kind, resource) if {
	value := container.resources[kind][resource]
	value != null
	value != ""
}
