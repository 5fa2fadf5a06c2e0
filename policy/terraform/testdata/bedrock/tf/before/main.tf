# State before the change (applied to moto): the legacy region's logging goes to CloudWatch.
module "legacy" {
  source = "./legacy"
}
