#!/usr/bin/env bash
# Regenerate the plan fixtures in this folder from the real `tofu` binary.
#
# Every scenario runs in its own temp folder with local state (no backend) and only the
# built-in terraform_data resource and hashicorp/time from the local provider mirror:
#   1. write "before" config and apply it (the prior state), unless the scenario starts empty
#   2. optionally tamper with the state out of band (drift)
#   3. write "after" config, `tofu plan -out`, `tofu show -json` → <scenario>.show.json
#
# Usage: source ~/.cache/idlc/tools/env.sh && src/plan/testdata/gen.sh [scenario ...]
# (no scenario: all of them; e.g. `gen.sh forget leak` rewrites only those two)
# Outputs are real tofu output: timestamps, UUIDs and the tofu version change between runs,
# so rewrite the goldens after running this: UPDATE_GOLDENS=1 npx vitest run src/report
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v tofu >/dev/null || {
  echo "gen.sh: tofu not on PATH; run: source \${IDLC_TOOLS_DIR:-\$HOME/.cache/idlc/tools}/env.sh" >&2
  exit 1
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
only=" $* "
want() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }

VERSIONS='terraform {
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "0.14.2"
    }
  }
}
'

# new_dir NAME → creates $work/NAME with versions.tf and prints the path
new_dir() {
  local d="$work/$1"
  mkdir -p "$d"
  printf '%s' "$VERSIONS" >"$d/versions.tf"
  (cd "$d" && tofu init -no-color -input=false >/dev/null)
  printf '%s' "$d"
}

apply_config() { # DIR CONFIG
  printf '%s' "$2" >"$1/main.tf"
  (cd "$1" && tofu apply -no-color -input=false -auto-approve >/dev/null)
}

plan_config() { # DIR CONFIG SCENARIO
  printf '%s' "$2" >"$1/main.tf"
  (cd "$1" && tofu init -no-color -input=false >/dev/null) # the new config may call modules
  (cd "$1" && tofu plan -no-color -input=false -out plan.tfplan >/dev/null)
  (cd "$1" && tofu show -json plan.tfplan) >"$here/$3.show.json"
  echo "wrote $3.show.json"
}

# --- create: everything new, including a data source read deferred to apply -------------------
if want create; then
d=$(new_dir create)
plan_config "$d" '
resource "terraform_data" "bucket" {
  input = { name = "search-docs", versioning = true, tags = { team = "search", env = "dev" } }
}
resource "time_static" "created" {}
resource "time_offset" "rotate" {
  offset_days = 30
}
resource "terraform_data" "replicas" {
  count = 2
  input = "replica-${count.index}"
}
resource "terraform_data" "per_region" {
  for_each = toset(["eu-west-1", "us-east-1"])
  input    = each.key
}
# A read that cannot happen at plan time (its config depends on an unknown value).
data "terraform_remote_state" "network" {
  backend = "local"
  config  = { path = "${terraform_data.bucket.id}.tfstate" }
  defaults = { vpc_id = "none" }
}
output "bucket_id" { value = terraform_data.bucket.id }
output "created_at" { value = time_static.created.rfc3339 }
' create
fi

# --- update in place -------------------------------------------------------------------------
if want update; then
d=$(new_dir update)
apply_config "$d" '
resource "terraform_data" "config" {
  input = { replicas = 2, image = "search:1.4.0", env = { LOG_LEVEL = "info" } }
}
resource "time_offset" "expiry" { offset_days = 30 }
resource "terraform_data" "unchanged" { input = "same" }
output "image" { value = terraform_data.config.output.image }
'
plan_config "$d" '
resource "terraform_data" "config" {
  input = { replicas = 3, image = "search:1.5.0", env = { LOG_LEVEL = "debug" } }
}
resource "time_offset" "expiry" { offset_days = 60 }
resource "terraform_data" "unchanged" { input = "same" }
output "image" { value = terraform_data.config.output.image }
output "replicas" { value = 3 }
' update
fi

# --- replace: destroy-then-create and create-before-destroy ------------------------------------
if want replace; then
d=$(new_dir replace)
apply_config "$d" '
resource "terraform_data" "cluster" {
  input            = "v1"
  triggers_replace = ["1.29"]
}
resource "terraform_data" "node_group" {
  input            = "ng"
  triggers_replace = ["m5.large"]
  lifecycle { create_before_destroy = true }
}
resource "time_static" "epoch" { triggers = { version = "1" } }
'
plan_config "$d" '
resource "terraform_data" "cluster" {
  input            = "v1"
  triggers_replace = ["1.30"]
}
resource "terraform_data" "node_group" {
  input            = "ng"
  triggers_replace = ["m6i.large"]
  lifecycle { create_before_destroy = true }
}
resource "time_static" "epoch" { triggers = { version = "2" } }
' replace
fi

# --- delete: resources removed from config ----------------------------------------------------
if want delete; then
d=$(new_dir delete)
apply_config "$d" '
resource "terraform_data" "keep" { input = "keep" }
resource "terraform_data" "old_queue" { input = "queue" }
resource "time_static" "legacy" {}
output "queue" { value = terraform_data.old_queue.output }
'
plan_config "$d" '
resource "terraform_data" "keep" { input = "keep" }
' delete
fi

# --- no-op: nothing to do ---------------------------------------------------------------------
if want noop; then
d=$(new_dir noop)
NOOP='
resource "terraform_data" "stable" { input = "stable" }
resource "time_static" "fixed" {}
output "stable" { value = terraform_data.stable.output }
'
apply_config "$d" "$NOOP"
plan_config "$d" "$NOOP" noop
fi

# --- sensitive: sensitive variables, sensitive outputs, sensitive() inside an object -----------
if want sensitive; then
d=$(new_dir sensitive)
SENSITIVE_VARS='
variable "db_password" {
  type      = string
  sensitive = true
}
variable "api_token" {
  type      = string
  sensitive = true
}
'
printf '%s' "$SENSITIVE_VARS"'
resource "terraform_data" "db" {
  input = { user = "app", password = var.db_password, host = "db.internal" }
}
resource "terraform_data" "token" { input = var.api_token }
output "db_password" {
  value     = var.db_password
  sensitive = true
}
' >"$d/main.tf"
(cd "$d" && TF_VAR_db_password=hunter2-old TF_VAR_api_token=tok-old \
  tofu apply -no-color -input=false -auto-approve >/dev/null)
printf '%s' "$SENSITIVE_VARS"'
resource "terraform_data" "db" {
  input = { user = "app", password = var.db_password, host = "db2.internal" }
}
resource "terraform_data" "token" { input = var.api_token }
resource "terraform_data" "mixed" {
  input = { public = "visible", secret = sensitive("s3cr3t-value"), list = ["a", sensitive("b-secret")] }
}
output "db_password" {
  value     = var.db_password
  sensitive = true
}
output "connection" {
  value     = "postgres://app:${var.db_password}@db2.internal"
  sensitive = true
}
output "public_host" { value = "db2.internal" }
' >"$d/main.tf"
(cd "$d" && TF_VAR_db_password=hunter2-new TF_VAR_api_token=tok-new \
  tofu plan -no-color -input=false -out plan.tfplan >/dev/null)
(cd "$d" && tofu show -json plan.tfplan) >"$here/sensitive.show.json"
echo "wrote sensitive.show.json"
fi

# --- moved and imported -----------------------------------------------------------------------
if want moved-imported; then
d=$(new_dir moved)
apply_config "$d" '
resource "terraform_data" "old_name" { input = "index" }
resource "terraform_data" "renamed_and_changed" { input = "v1" }
resource "time_static" "stamp" {}
'
# the module the resource moves into must exist before init sees the new config
mkdir -p "$d/clock"
printf '%s' 'resource "time_static" "stamp" {}
' >"$d/clock/main.tf"
plan_config "$d" '
moved {
  from = terraform_data.old_name
  to   = terraform_data.search_index
}
resource "terraform_data" "search_index" { input = "index" }

moved {
  from = terraform_data.renamed_and_changed
  to   = terraform_data.settings
}
resource "terraform_data" "settings" { input = "v2" }

moved {
  from = time_static.stamp
  to   = module.clock.time_static.stamp
}
module "clock" {
  source = "./clock"
}

import {
  to = terraform_data.adopted
  id = "existing-object-123"
}
resource "terraform_data" "adopted" {}

import {
  to = time_static.imported
  id = "2024-01-02T03:04:05Z"
}
resource "time_static" "imported" {}
' moved-imported
fi

# --- drift: state changed out of band, seen by refresh ----------------------------------------
if want drift; then
# None of the mirror's resources read a remote object (terraform_data and most time_* Reads
# return the state as is), but time_rotating's Read drops the resource once its rotation
# time has passed. "Out of band" here is therefore an edit of the state file that sets an
# expired rotation time, as if the time had passed: refresh sees the object gone (drift:
# delete) and the plan proposes to create it again.
d=$(new_dir drift)
DRIFT='
resource "time_rotating" "key" { rotation_days = 30 }
resource "terraform_data" "flags" { input = "on" }
resource "terraform_data" "steady" { input = "steady" }
'
apply_config "$d" "$DRIFT"
python3 - "$d/terraform.tfstate" <<'PY'
import json, sys
path = sys.argv[1]
state = json.load(open(path))
for r in state["resources"]:
    for inst in r["instances"]:
        a = inst["attributes"]
        if r["type"] == "time_rotating":
            a["rotation_rfc3339"] = "2000-01-01T00:00:00Z"
state["serial"] += 1
json.dump(state, open(path, "w"), indent=2)
PY
plan_config "$d" "$DRIFT" drift
# the drift run that a scheduled job makes: refresh-only shows drift without proposing changes
(cd "$d" && tofu plan -refresh-only -no-color -input=false -out refresh.tfplan >/dev/null)
(cd "$d" && tofu show -json refresh.tfplan) >"$here/drift-refresh-only.show.json"
echo "wrote drift-refresh-only.show.json"
fi

# --- hostile: names and values that try to break out of markdown, ping people or link ----------
if want hostile; then
# for_each keys are arbitrary strings, so a PR author controls resource addresses.
d=$(new_dir hostile)
plan_config "$d" '
resource "terraform_data" "hostile" {
  for_each = toset([
    "</details><details open><summary>pwned",
    "```",
    "@acme/security-team",
    "#123 GH-7 acme/platform#9",
    "<img src=x onerror=alert(1)>",
    "| col | injection |",
    "[link](https://evil.example) ![img](https://evil.example/x.png)",
    "**bold** _it_ ~~strike~~ \\ <!-- comment",
    "\u202eevil-bidi",
  ])
  input = { note = "${each.key} and ``` and </details> and @acme/admins #42" }
}
output "hostile" { value = "</details> ```` @acme/admins #1 <b>x</b>" }
' hostile
fi

# --- error: a plan that fails (errored plan file, stderr and the -json log) --------------------
if want error; then
d=$(new_dir error)
printf '%s' '
resource "terraform_data" "ok" { input = "fine" }
resource "terraform_data" "bad" {
  input = "x"
  lifecycle {
    precondition {
      condition     = length(terraform_data.ok.input) > 10
      error_message = "The input must be longer than 10 characters: set a longer name in terraform.tfvars."
    }
  }
}
' >"$d/main.tf"
(cd "$d" && tofu plan -no-color -input=false -out plan.tfplan >/dev/null 2>"$here/error.stderr.txt") && {
  echo "gen.sh: the error scenario planned successfully; it must fail" >&2
  exit 1
}
(cd "$d" && tofu show -json plan.tfplan) >"$here/error.show.json"
(cd "$d" && tofu plan -json -no-color -input=false >"$here/error.plan-log.jsonl" 2>/dev/null) || true
echo "wrote error.show.json error.stderr.txt error.plan-log.jsonl"
fi

# --- forget: a resource removed from state without being destroyed (removed + destroy = false) -
if want forget; then
  d=$(new_dir forget)
  apply_config "$d" '
resource "terraform_data" "keep" { input = "keep" }
resource "terraform_data" "handed_over" { input = "now managed by the data team" }
'
  plan_config "$d" '
resource "terraform_data" "keep" { input = "keep" }
removed {
  from = terraform_data.handed_over
  lifecycle { destroy = false }
}
' forget
fi

# --- leak: a sensitive value where no marker covers it --------------------------------------
# nonsensitive() copies the password into a longer, unmarked string, and the time provider's
# validation error echoes the sensitive value it was given ("Given Value: …") in its
# diagnostic. The plan errors, so the show document, stderr and the -json log are kept.
if want leak; then
  d=$(new_dir leak)
  printf '%s' '
variable "db_password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "dsn" {
  input = nonsensitive("postgres://app:${var.db_password}@db2.internal/search")
}
resource "time_static" "rotated" {
  rfc3339 = var.db_password
}
' >"$d/main.tf"
  (cd "$d" && TF_VAR_db_password=hunter2-new tofu plan -no-color -input=false -out plan.tfplan \
    >/dev/null 2>"$here/leak.stderr.txt") && {
    echo "gen.sh: the leak scenario planned successfully; the provider must refuse the value" >&2
    exit 1
  }
  (cd "$d" && tofu show -json plan.tfplan) >"$here/leak.show.json"
  (cd "$d" && TF_VAR_db_password=hunter2-new tofu plan -json -no-color -input=false \
    >"$here/leak.plan-log.jsonl" 2>/dev/null) || true
  echo "wrote leak.show.json leak.stderr.txt leak.plan-log.jsonl"
fi

# --- drift-terraform-1.0.0: Terraform 1.0.0's resource_drift, which has no `address` ---------
# Terraform 0.15–1.0.0 wrote resource_drift entries without `address` (and without `index`),
# and listed every managed instance in state, unchanged ones included as "update", once
# anything had drifted (fixed in 1.0.1, hashicorp/terraform#28975). Needs that exact
# binary, MPL-2.0, built from its Go module (the module's own go.mod carries its replaces):
#   go mod download -json github.com/hashicorp/terraform@v1.0.0   # → .Zip; unzip it, then
#   (cd terraform@v1.0.0 && go build -trimpath -o /tmp/terraform-1.0.0 .)
#   TERRAFORM_1_0_0=/tmp/terraform-1.0.0 src/plan/testdata/gen.sh drift-terraform-1.0.0
if want drift-terraform-1.0.0; then
  tf="${TERRAFORM_1_0_0:-}"
  if [ -z "$tf" ] || ! "$tf" version 2>/dev/null | grep -q '^Terraform v1\.0\.0$'; then
    echo "gen.sh: drift-terraform-1.0.0 needs TERRAFORM_1_0_0=<terraform 1.0.0 binary>; skipped" >&2
  else
    d="$work/tf10"
    mkdir -p "$d/clock"
    printf '%s' "$VERSIONS" >"$d/versions.tf"
    printf '%s' 'terraform {
  required_providers {
    time = { source = "hashicorp/time" }
  }
}
resource "time_static" "stamp" {
  count = 2
}
' >"$d/clock/main.tf"
    printf '%s' '
resource "time_rotating" "key" { rotation_days = 30 }
resource "time_rotating" "per_env" {
  for_each      = toset(["dev", "prod"])
  rotation_days = 30
}
resource "time_offset" "steady" { offset_days = 7 }
module "clock" { source = "./clock" }
' >"$d/main.tf"
    (cd "$d" && "$tf" init -no-color -input=false >/dev/null && "$tf" apply -no-color -input=false -auto-approve >/dev/null)
    # as in the drift scenario: expire two rotations, so refresh finds those objects gone
    python3 - "$d/terraform.tfstate" <<'PY'
import json, sys
path = sys.argv[1]
state = json.load(open(path))
for r in state["resources"]:
    for inst in r["instances"]:
        if r["type"] == "time_rotating" and (r["name"] == "key" or inst.get("index_key") == "prod"):
            inst["attributes"]["rotation_rfc3339"] = "2000-01-01T00:00:00Z"
state["serial"] += 1
json.dump(state, open(path, "w"), indent=2)
PY
    (cd "$d" && "$tf" plan -no-color -input=false -out plan.tfplan >/dev/null)
    (cd "$d" && "$tf" show -json plan.tfplan) >"$here/drift-terraform-1.0.0.show.json"
    echo "wrote drift-terraform-1.0.0.show.json"
  fi
fi

# --- wide: one resource with more changed attributes than a PR comment shows per resource ----
if want wide; then
  d=$(new_dir wide)
  apply_config "$d" '
resource "terraform_data" "settings" {
  input = { for i in range(60) : format("key_%02d", i) => "v1" }
}
'
  plan_config "$d" '
resource "terraform_data" "settings" {
  input = { for i in range(60) : format("key_%02d", i) => "v2" }
}
' wide
fi
