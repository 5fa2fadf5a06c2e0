output "bucket_name" {
  description = "Name of the state bucket (state.bucket in idlc.yaml must resolve to this)."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the state bucket (input to the github-oidc module)."
  value       = module.bucket.bucket_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting state and plans (input to the github-oidc module)."
  value       = local.kms_key_arn
}

output "plans_prefix" {
  description = "Key prefix of saved plan bundles."
  value       = var.plans_prefix
}

output "backend_config" {
  description = "Settings idlc injects with -backend-config (bucket, region, encryption, S3 native lockfile). The key comes from state.key in idlc.yaml."
  value = {
    bucket       = module.bucket.bucket_name
    region       = data.aws_region.current.region
    encrypt      = true
    kms_key_id   = local.kms_key_arn
    use_lockfile = true
  }
}
