# A module that calls the bucket module again (a bucket two modules deep).
module "audit" {
  source = "../bucket"
  bucket = "acme-search-prod-audit"
}
