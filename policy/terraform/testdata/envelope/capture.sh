#!/usr/bin/env bash
# Captures a real `tofu show -json` plan with the built-in terraform_data resource (no
# provider needed): creates, an in-place update, a no-op, a delete, a replacement, a module
# call and configuration references. gen.mjs builds every plan fixture from this envelope.
# Re-run after a tofu upgrade: scripts/install-tools && policy/terraform/testdata/envelope/capture.sh
set -euo pipefail
out="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tofu-show.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/m"
cat >"$work/main.tf" <<'TF'
variable "gen" {
  type    = number
  default = 1
}

resource "terraform_data" "kept" {
  input = { name = "kept", tags = { team = "search" } }
}

resource "terraform_data" "replaced" {
  input            = { name = "replaced" }
  triggers_replace = [var.gen]
}

resource "terraform_data" "removed" {
  count = var.gen == 1 ? 1 : 0
  input = { name = "removed" }
}

resource "terraform_data" "created" {
  for_each = var.gen == 1 ? toset([]) : toset(["a"])
  input    = { name = each.key, ref = terraform_data.kept.id }
}

module "child" {
  source = "./m"
  name   = "child-${var.gen}"
}
TF
cat >"$work/m/main.tf" <<'TF'
variable "name" {
  type = string
}

resource "terraform_data" "inner" {
  input = { name = var.name }
}

resource "terraform_data" "dependent" {
  input = { parent = terraform_data.inner.id }
}
TF
cd "$work"
export TF_IN_AUTOMATION=1
tofu init -input=false >/dev/null
tofu apply -auto-approve -input=false >/dev/null
tofu plan -input=false -var gen=2 -out=plan.bin >/dev/null
tofu show -json plan.bin | python3 -m json.tool --indent 2 >"$out"
echo "wrote $out ($(tofu version | head -1))"
