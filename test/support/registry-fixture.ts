/** A small, valid registry used by tests; tests mutate copies of it. */
export const REGISTRY_YAML = `version: 1
engine:
  name: tofu
  version: 1.12.6
clouds:
  aws:
    default_region: eu-west-1
environments:
  - name: dev
  - name: staging
  - name: prod
    protected: true
state:
  bucket: idlc-tfstate-{team}-{account_id}
  key: "{env}/{stack}/terraform.tfstate"
triggers:
  - scripts/tools.versions
dependencies:
  - stacks: "aws/*/{env}"
    after: ["aws/platform/{env}/network"]
teams:
  platform:
    kind: platform
    owners: ["@acme/platform"]
    cost_center: cc-0100
    envs:
      dev: { aws: { account_id: "100000000001" } }
      prod: { aws: { account_id: "100000000003" } }
  search:
    owners: ["@acme/search"]
    cost_center: cc-2100
    envs:
      dev: { aws: { account_id: "200000000001" } }
      staging: { aws: { account_id: "200000000002" } }
      prod: { aws: { account_id: "200000000003" } }
  assistant:
    owners: ["@acme/assistant"]
    cost_center: cc-2200
    envs:
      dev: { aws: { account_id: "300000000001" } }
      prod: { aws: { account_id: "300000000003" } }
`;

/** A thin but real stack: partial backend, guarded provider. */
export function stackFiles(dir: string, extra = ''): Record<string, string> {
  return {
    [`${dir}/versions.tf`]: `terraform {\n  backend "s3" {}\n}\n`,
    [`${dir}/main.tf`]: `provider "aws" {\n  allowed_account_ids = ["000000000000"]\n}\n${extra}`,
  };
}
