# METADATA
# title: Protected environments keep their data
# description: |
#   In environments marked protected in idlc.yaml (prod): databases, clusters and load
#   balancers have deletion protection on, buckets cannot be force-destroyed, and no
#   stateful resource is deleted or replaced unless the change carries the
#   destroy-approved approval (a PR label) or a waiver.
package terraform.protected

import data.terraform.lib

# Resource type -> the attribute that turns deletion protection on.
deletion_protection := {
	"aws_db_instance": "deletion_protection",
	"aws_rds_cluster": "deletion_protection",
	"aws_docdb_cluster": "deletion_protection",
	"aws_neptune_cluster": "deletion_protection",
	"aws_dynamodb_table": "deletion_protection_enabled",
	"aws_lb": "enable_deletion_protection",
	"aws_eks_cluster": "deletion_protection",
}

stateful := {
	"aws_s3_bucket",
	"aws_db_instance",
	"aws_rds_cluster",
	"aws_docdb_cluster",
	"aws_neptune_cluster",
	"aws_dynamodb_table",
	"aws_kms_key",
	"aws_eks_cluster",
	"aws_efs_file_system",
	"aws_elasticache_replication_group",
	"aws_opensearch_domain",
	"aws_ebs_volume",
	"aws_backup_vault",
}

in_protected_env if lib.context.protected == true

approved if "destroy-approved" in object.get(lib.context, "approvals", [])

# METADATA
# description: deletion protection is off in a protected environment
deny contains lib.finding("protected.deletion_protection", rc.address, message) if {
	in_protected_env
	some rc in lib.changing
	attr := deletion_protection[rc.type]
	not rc.change.after[attr] == true
	not lib.unknown(rc, attr)
	message := sprintf("%s is in protected env %q; set %s = true", [rc.address, lib.context.env, attr])
}

# METADATA
# description: force_destroy on a bucket in a protected environment
deny contains lib.finding("protected.deletion_protection", rc.address, message) if {
	in_protected_env
	some rc in lib.changing
	rc.type == "aws_s3_bucket"
	rc.change.after.force_destroy == true
	message := sprintf(
		"%s sets force_destroy = true in protected env %q, which deletes every object with the bucket; remove it",
		[rc.address, lib.context.env],
	)
}

# METADATA
# description: a stateful resource is deleted or replaced without approval
deny contains lib.finding("protected.stateful_destroy", rc.address, message) if {
	in_protected_env
	not approved
	some rc in lib.deleting
	rc.type in stateful
	message := sprintf(
		concat(" ", [
			"%s would be %s in protected env %q, losing its data;",
			"if it is only renamed, add a moved block; if intended, get the PR labelled destroy-approved",
			"or add a waiver in policy/waivers.yaml",
		]),
		[rc.address, verb(rc), lib.context.env],
	)
}

# METADATA
# description: an approved destroy in a protected environment stays visible
warn contains lib.finding("protected.stateful_destroy", rc.address, message) if {
	in_protected_env
	approved
	some rc in lib.deleting
	rc.type in stateful
	message := sprintf("%s will be %s in protected env %q (destroy-approved)", [rc.address, verb(rc), lib.context.env])
}

verb(rc) := "replaced" if "create" in rc.change.actions

verb(rc) := "deleted" if not "create" in rc.change.actions
