# METADATA
# title: Pod security
# description: |
#   No privileged containers, no hostPath volumes, no host network/PID/IPC namespaces, and
#   every container runs as non-root (runAsNonRoot on the pod or on each container).
#   The namespace's Pod Security "restricted" label enforces the same at admission; this
#   rule reports it on the PR, before the sync fails.
package kubernetes.podsecurity

import data.kubernetes.lib

# METADATA
# description: privileged container
deny contains lib.finding("podsecurity.privileged", item.workload.id, message) if {
	some item in lib.containers
	item.container.securityContext.privileged == true
	message := sprintf(
		"%s: container %q is privileged; remove securityContext.privileged (grant single capabilities if needed)",
		[item.workload.id, item.container.name],
	)
}

# METADATA
# description: hostPath volume
deny contains lib.finding("podsecurity.host_path", workload.id, message) if {
	some workload in lib.workloads
	some volume in object.get(workload.spec, "volumes", [])
	volume.hostPath
	message := sprintf(
		"%s: volume %q mounts a hostPath; use a PersistentVolumeClaim, emptyDir, configMap or secret",
		[workload.id, volume.name],
	)
}

# METADATA
# description: host network, PID or IPC namespace
deny contains lib.finding("podsecurity.host_namespace", workload.id, message) if {
	some workload in lib.workloads
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	workload.spec[field] == true
	message := sprintf("%s: %s is true; remove it, pods share no host namespace", [workload.id, field])
}

# METADATA
# description: container that may run as root
deny contains lib.finding("podsecurity.run_as_non_root", item.workload.id, message) if {
	some item in lib.containers
	not non_root(item)
	message := sprintf(
		"%s: container %q may run as root; set securityContext.runAsNonRoot: true on the pod (and a non-zero runAsUser)",
		[item.workload.id, item.container.name],
	)
}

# The container's own setting wins over the pod's.
non_root(item) if {
	item.container.securityContext.runAsNonRoot == true
	not runs_as_uid_zero(item)
}

non_root(item) if {
	item.workload.spec.securityContext.runAsNonRoot == true
	not item.container.securityContext.runAsNonRoot == false
	not runs_as_uid_zero(item)
}

runs_as_uid_zero(item) if item.container.securityContext.runAsUser == 0

runs_as_uid_zero(item) if {
	item.workload.spec.securityContext.runAsUser == 0
	not "runAsUser" in object.keys(object.get(item.container, "securityContext", {}))
}
