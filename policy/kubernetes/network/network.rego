# METADATA
# title: Default-deny network policy per team namespace
# description: |
#   Each team Namespace (a Namespace labelled team) in the manifests has a NetworkPolicy
#   in it that selects every pod (podSelector: {}), lists Ingress in policyTypes and allows
#   no ingress: traffic is then opened by explicit policies only.
package kubernetes.network

import data.kubernetes.lib

# METADATA
# description: team namespace without a default-deny NetworkPolicy
deny contains lib.finding("network.default_deny", lib.id(namespace), message) if {
	some namespace in lib.manifests
	namespace.kind == "Namespace"
	lib.labels(namespace).team
	not lib.name(namespace) in default_deny_namespaces
	message := sprintf(
		concat(" ", [
			"%s has no default-deny NetworkPolicy; add one in the namespace with podSelector: {},",
			"policyTypes: [Ingress, Egress] and no ingress rules",
		]),
		[lib.id(namespace)],
	)
}

default_deny_namespaces contains lib.namespace(policy) if {
	some policy in lib.manifests
	policy.kind == "NetworkPolicy"
	selects_all(object.get(policy, ["spec", "podSelector"], {}))
	"Ingress" in object.get(policy, ["spec", "policyTypes"], [])
	count(object.get(policy, ["spec", "ingress"], [])) == 0
}

selects_all(selector) if {
	count(object.get(selector, "matchLabels", {})) == 0
	count(object.get(selector, "matchExpressions", [])) == 0
}
