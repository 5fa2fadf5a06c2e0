output "bucket_name" {
  description = "Name of the example corpus bucket."
  value       = module.corpus.bucket_name
}
