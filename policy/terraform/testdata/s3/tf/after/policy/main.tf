# A bucket policy built elsewhere: only known after apply, and not from a policy document.
variable "bucket_arn" {
  type        = string
  description = "ARN of the bucket the policy is for."
}

output "json" {
  value = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::200000000003:root" }, Action = "s3:GetObject", Resource = "${var.bucket_arn}/*" }]
  })
}
