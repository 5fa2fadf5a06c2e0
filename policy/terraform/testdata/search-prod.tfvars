# The provider default_tags of aws/search/prod, as idlc.yaml gives them (src/policy/context.ts).
default_tags = {
  team          = "search"
  env           = "prod"
  "cost-center" = "cc-2100"
  owner         = "@acme/search"
  "managed-by"  = "idlc"
  stack         = "aws/search/prod"
}
