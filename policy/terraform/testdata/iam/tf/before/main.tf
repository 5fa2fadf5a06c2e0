# State before the change: the role exists with a narrow inline policy (applied to moto).
resource "aws_iam_role" "inline_admin" {
  name = "search-inline"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name = "all"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::acme-search-prod-documents/*"] }]
    })
  }
}
