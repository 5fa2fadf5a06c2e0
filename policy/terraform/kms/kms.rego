# METADATA
# title: KMS key rotation
# description: |
#   Symmetric encryption keys rotate automatically. Asymmetric and HMAC keys cannot rotate
#   in KMS, so they are not asked to.
package terraform.kms

import data.terraform.lib

# METADATA
# description: symmetric key without automatic rotation
deny contains lib.finding("kms.rotation", rc.address, message) if {
	some rc in lib.changing
	rc.type == "aws_kms_key"
	symmetric(rc)
	not rc.change.after.enable_key_rotation == true
	not lib.unknown(rc, "enable_key_rotation")
	message := sprintf("%s does not rotate; set enable_key_rotation = true", [rc.address])
}

symmetric(rc) if object.get(rc.change.after, "customer_master_key_spec", null) in {null, "SYMMETRIC_DEFAULT"}
