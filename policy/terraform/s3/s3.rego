# METADATA
# title: S3 bucket baseline
# description: |
#   Every bucket has server-side encryption configured, a public access block with all four
#   settings on, and a bucket policy that denies requests without TLS (aws:SecureTransport).
#   Companion resources are matched to their bucket by configuration reference
#   (bucket = aws_s3_bucket.x.id) or by equal known bucket names.
package terraform.s3

import data.terraform.lib

# METADATA
# description: bucket without a server-side encryption configuration
deny contains lib.finding("s3.encryption", bucket.address, message) if {
	some bucket in checked
	count(companions(bucket, "aws_s3_bucket_server_side_encryption_configuration")) == 0
	message := sprintf(
		concat(" ", [
			"%s has no aws_s3_bucket_server_side_encryption_configuration;",
			"add one with bucket = %s.id and sse_algorithm aws:kms (or AES256)",
		]),
		[bucket.address, bucket.address],
	)
}

# METADATA
# description: encryption configuration without an algorithm
deny contains lib.finding("s3.encryption", rc.address, message) if {
	some rc in lib.changing
	rc.type == "aws_s3_bucket_server_side_encryption_configuration"
	not has_algorithm(rc)
	message := sprintf(
		"%s sets no apply_server_side_encryption_by_default.sse_algorithm; set it to aws:kms or AES256",
		[rc.address],
	)
}

# METADATA
# description: bucket without a public access block that blocks everything
deny contains lib.finding("s3.public_access_block", bucket.address, message) if {
	some bucket in checked
	not fully_blocked(bucket)
	message := sprintf(
		concat(" ", [
			"%s has no aws_s3_bucket_public_access_block with block_public_acls, block_public_policy,",
			"ignore_public_acls and restrict_public_buckets all true; add one with bucket = %s.id",
		]),
		[bucket.address, bucket.address],
	)
}

# METADATA
# description: bucket without a policy denying non-TLS requests
deny contains lib.finding("s3.tls_only", bucket.address, message) if {
	some bucket in checked
	not tls_enforced(bucket)
	not tls_unknown(bucket)
	message := sprintf(
		concat(" ", [
			"%s has no bucket policy denying requests without TLS; add an aws_s3_bucket_policy with",
			"a Deny statement for s3:* on Condition Bool aws:SecureTransport = false",
		]),
		[bucket.address],
	)
}

# METADATA
# description: the bucket policy is computed at apply time and could not be checked
warn contains lib.finding("s3.tls_only", bucket.address, message) if {
	some bucket in checked
	not tls_enforced(bucket)
	tls_unknown(bucket)
	message := sprintf(
		concat(" ", [
			"%s: its bucket policy is only known after apply, so TLS-only could not be checked;",
			"build it with data.aws_iam_policy_document",
		]),
		[bucket.address],
	)
}

buckets contains rc if some rc in object.get(lib.present_by_type, "aws_s3_bucket", [])

# A bucket is checked when it changes, or when one of its companions is being removed.
checked contains bucket if {
	some bucket in buckets
	bucket in lib.changing
}

checked contains bucket if {
	some bucket in buckets
	some key in ["id", "bucket"]
	lib.after(bucket, key) in removed_companion_targets
}

# Bucket names (or ids) that removed companions pointed at; removed resources have no
# configuration left, so only their last known value links them.
removed_companion_targets contains value if {
	some companion in lib.deleting
	companion.type in companion_types
	value := companion.change.before.bucket
	is_string(value)
}

companion_types := {
	"aws_s3_bucket_server_side_encryption_configuration",
	"aws_s3_bucket_public_access_block",
	"aws_s3_bucket_policy",
}

companions(bucket, type) := [rc |
	some rc in lib.dependents("bucket", bucket)
	rc.type == type
]

has_algorithm(rc) if {
	some rule in lib.as_list(rc.change.after.rule)
	some by_default in lib.as_list(rule.apply_server_side_encryption_by_default)
	by_default.sse_algorithm in {"aws:kms", "aws:kms:dsse", "AES256"}
}

block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

fully_blocked(bucket) if {
	some pab in companions(bucket, "aws_s3_bucket_public_access_block")
	every setting in block_settings {
		pab.change.after[setting] == true
	}
}

tls_enforced(bucket) if {
	some policy in companions(bucket, "aws_s3_bucket_policy")
	some statement in policy_statements(policy)
	denies_insecure_transport(statement)
}

tls_unknown(bucket) if {
	some policy in companions(bucket, "aws_s3_bucket_policy")
	lib.unknown(policy, "policy")
	count(policy_statements(policy)) == 0
}

# Statements of a bucket policy: the JSON when known, else the policy document data source
# it references (deferred reads keep their statement blocks in the plan).
policy_statements(policy) := lib.json_statements(policy.change.after.policy) if is_string(policy.change.after.policy)

policy_statements(policy) := [statement |
	some ref in lib.references(policy, "policy")
	some ds in lib.data_sources
	ds.type == "aws_iam_policy_document"
	endswith(ref, ".json")
	trim_suffix(ref, ".json") == document_address(policy, ds)
	some statement in lib.block_statements(ds.values)
] if {
	not is_string(object.get(policy.change.after, "policy", null))
}

# The data source address as seen from the module of the policy resource.
document_address(policy, ds) := trim_prefix(ds.address, sprintf("%s.", [lib.module_of(policy)])) if {
	lib.module_of(policy) != ""
}

document_address(policy, ds) := ds.address if lib.module_of(policy) == ""

denies_insecure_transport(statement) if {
	statement.effect == "Deny"
	some action in statement.actions
	action in {"s3:*", "*"}
	some condition in statement.conditions
	condition.test in {"Bool", "BoolIfExists"}
	condition.variable == "aws:securetransport"
	some value in condition.values
	lower(sprintf("%v", [value])) == "false"
}
