# The change the KMS rule is tested on (policy/terraform/kms/kms_test.rego).

# pass: a symmetric key that rotates
resource "aws_kms_key" "data" {
  description             = "search data"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
}

# deny: a symmetric key that never rotates
resource "aws_kms_key" "static" {
  description             = "never rotates"
  enable_key_rotation     = false
  deletion_window_in_days = 30
}

# pass: asymmetric keys cannot rotate
resource "aws_kms_key" "signing" {
  description              = "JWT signing"
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
  deletion_window_in_days  = 30
}
