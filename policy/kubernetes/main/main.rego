# METADATA
# title: All manifest policies
# description: |
#   The entrypoint idlc evaluates (data.kubernetes.main): every deny and warn of the
#   kubernetes.* concern packages, and which of them are loaded.
package kubernetes.main

import data.kubernetes.gpu
import data.kubernetes.images
import data.kubernetes.labels
import data.kubernetes.network
import data.kubernetes.podsecurity
import data.kubernetes.resources

# METADATA
# entrypoint: true
# description: every denial; any entry fails the check unless a waiver covers it
deny contains finding if some finding in all_deny

# METADATA
# entrypoint: true
# description: every warning; reported, never fails the check
warn contains finding if some finding in all_warn

# METADATA
# entrypoint: true
# description: the concern packages that are loaded
loaded contains name if some name, _ in by_concern

# One entry per loaded package; a package that is missing leaves only its own entry out.
by_concern["resources"] := resources

by_concern["podsecurity"] := podsecurity

by_concern["images"] := images

by_concern["labels"] := labels

by_concern["gpu"] := gpu

by_concern["network"] := network

all_deny contains finding if {
	some rules in by_concern
	some finding in object.get(rules, "deny", set())
}

all_warn contains finding if {
	some rules in by_concern
	some finding in object.get(rules, "warn", set())
}
