#!/usr/bin/env bash
# Regenerate the AWS plan fixtures from real runs: the pinned OpenTofu, the real
# terraform-provider-aws 6.47.1 from the tools mirror, and a local moto server.
#
#   source ~/.cache/idlc/tools/env.sh        # tofu, moto_server, TF_CLI_CONFIG_FILE (the mirror)
#   scripts/install-tools --with-heavy-providers   # once: builds the AWS provider (~25 min)
#   policy/terraform/testdata/regen.sh [fixture ...]   # default: every fixture with a tf/ folder
#   scripts/test-policy                       # the Rego tests on the new shapes
#
# For each policy/terraform/testdata/<fixture>/tf/ (after/, optional before/, and `tfvars`
# naming the shared tfvars file with the stack's default_tags):
#   1. a fresh folder with aws-provider.tf (fake keys, skip_* flags, every endpoint on moto)
#      and the fixture's tfvars (the stack's default_tags, from idlc.yaml);
#   2. before/: `tofu apply` against moto, so updates, no-ops and deletes have a real prior
#      state that refresh reads back from moto;
#   3. after/: `tofu plan -out`, then `tofu show -json` → <fixture>/plan.json (pretty-printed,
#      content as tofu wrote it).
# On demand only: CI never runs this and never writes fixtures (the Rego tests read the
# committed files). Output changes between runs (moto's ids, the moto port in the plan's
# variables), so review the diff of the rules' inputs, not of every line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${CI:-}" ]; then
  echo "regen.sh: fixtures are never written in CI (CI=$CI)" >&2
  exit 1
fi
for tool in tofu moto_server; do
  command -v "$tool" >/dev/null || {
    echo "regen.sh: $tool not on PATH; run: source \${IDLC_TOOLS_DIR:-\$HOME/.cache/idlc/tools}/env.sh" >&2
    exit 1
  }
done
mirror_aws="$(dirname "${TF_CLI_CONFIG_FILE:-/nonexistent}")/providers/registry.opentofu.org/hashicorp/aws/6.47.1"
[ -d "$mirror_aws" ] || {
  echo "regen.sh: no AWS provider 6.47.1 in the tools mirror ($mirror_aws); run scripts/install-tools --with-heavy-providers" >&2
  exit 1
}

fixtures=("$@")
if [ ${#fixtures[@]} -eq 0 ]; then
  for d in "$here"/*/tf; do fixtures+=("$(basename "$(dirname "$d")")"); done
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# moto's account is the fixtures' account (aws/search/prod in idlc.yaml)
MOTO_ACCOUNT_ID=200000000003 moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true

for name in "${fixtures[@]}"; do
  src="$here/$name/tf"
  [ -d "$src/after" ] || {
    echo "regen.sh: $name has no tf/after folder" >&2
    exit 1
  }
  # a fresh moto for every fixture: nothing of one fixture is in another's prior state
  curl -sf -X POST "http://127.0.0.1:$port/moto-api/reset" >/dev/null
  dir="$work/$name"
  mkdir -p "$dir"
  cp "$here/aws-provider.tf" "$dir/"
  cp "$here/$(cat "$src/tfvars")" "$dir/terraform.tfvars"
  vars=(-var "moto_endpoint=http://127.0.0.1:$port")
  if [ -d "$src/before" ]; then
    cp -r "$src/before/." "$dir/"
    (cd "$dir" && tofu init -no-color -input=false >/dev/null &&
      tofu apply -no-color -input=false -auto-approve "${vars[@]}" >"$work/$name.apply.log") || {
      cat "$work/$name.apply.log" >&2
      exit 1
    }
    for f in "$src"/before/*; do rm -rf "${dir:?}/$(basename "$f")"; done
  fi
  cp -r "$src/after/." "$dir/"
  (cd "$dir" && tofu init -no-color -input=false >/dev/null)
  (cd "$dir" && tofu plan -no-color -input=false -out plan.tfplan "${vars[@]}" >"$work/$name.plan.log") || {
    cat "$work/$name.plan.log" >&2
    exit 1
  }
  (cd "$dir" && tofu show -json plan.tfplan) | python3 -c 'import json, sys; json.dump(json.load(sys.stdin), sys.stdout, indent=2); print()' >"$here/$name/plan.json"
  echo "wrote $name/plan.json ($(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["resource_changes"]))' "$here/$name/plan.json") resource changes)"
done
