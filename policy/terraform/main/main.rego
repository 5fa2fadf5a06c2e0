# METADATA
# title: All plan policies
# description: |
#   The entrypoint idlc evaluates (data.terraform.main): every deny and warn of the
#   terraform.* concern packages, and which of them are loaded, so an empty or partial
#   policy set is reported instead of passing silently. A new concern package is added
#   here with one import and three lines.
package terraform.main

import data.terraform.bedrock
import data.terraform.gpu
import data.terraform.iam
import data.terraform.kms
import data.terraform.network
import data.terraform.protected
import data.terraform.s3
import data.terraform.tags

# METADATA
# entrypoint: true
# description: every denial; any entry fails the plan unless a waiver covers it
deny contains finding if some finding in all_deny

# METADATA
# entrypoint: true
# description: every warning; reported on the PR, never fails the plan
warn contains finding if some finding in all_warn

# METADATA
# entrypoint: true
# description: the concern packages that are loaded
loaded contains name if some name, _ in by_concern

# One entry per loaded package; a package that is missing leaves only its own entry out.
by_concern["tags"] := tags

by_concern["s3"] := s3

by_concern["iam"] := iam

by_concern["network"] := network

by_concern["kms"] := kms

by_concern["gpu"] := gpu

by_concern["protected"] := protected

by_concern["bedrock"] := bedrock

all_deny contains finding if {
	some rules in by_concern
	some finding in object.get(rules, "deny", set())
}

all_warn contains finding if {
	some rules in by_concern
	some finding in object.get(rules, "warn", set())
}
