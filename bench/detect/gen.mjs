#!/usr/bin/env node
// Generate a synthetic idlc monorepo for the detection benchmark: by default 2,000 stacks,
// 300 local modules nested three deep (leaf ← mid ← top ← stacks), ~20,000 files, one commit.
// Deterministic: the same arguments give the same tree. Also writes Terramate's stack.tm.hcl
// files so `terramate list --changed` can run on the very same repository.
//
//   node bench/detect/gen.mjs <dir> [--teams 50] [--stacks-per-env 20] [--modules 300] [--files 20000]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) {
  console.error('usage: gen.mjs <dir> [--teams N] [--stacks-per-env N] [--modules N] [--files N]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const TEAMS = opt('teams', 50);
const ENVS = ['dev', 'prod'];
const PER_ENV = opt('stacks-per-env', 20);
const MODULES = opt('modules', 300);
const FILES = opt('files', 20000);
const perLevel = Math.floor(MODULES / 3);

// A tiny deterministic PRNG (mulberry32) so the tree is reproducible.
let seed = 42;
const rand = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (n) => Math.floor(rand() * n);
const pad = (n, w = 3) => String(n).padStart(w, '0');

rmSync(dir, { recursive: true, force: true });
let count = 0;
const write = (path, text) => {
  const abs = join(dir, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  count++;
};

const teams = Array.from({ length: TEAMS }, (_, i) => `team-${pad(i, 2)}`);
let registry = `version: 1
engine: { name: tofu, version: 1.12.6 }
clouds: { aws: { default_region: eu-west-1 } }
environments:
  - name: dev
  - name: prod
    protected: true
state:
  bucket: idlc-tfstate-{team}-{account_id}
triggers: ["scripts/tools.versions"]
dependencies:
  - stacks: "aws/team-*/{env}/s*"
    after: ["aws/team-00/{env}/s000"]
teams:
`;
teams.forEach((t, i) => {
  registry += `  ${t}:\n    owners: ["@acme/${t}"]\n    cost_center: cc-${pad(i, 4)}\n    envs:\n`;
  ENVS.forEach((e, j) => {
    registry += `      ${e}: { aws: { account_id: "${String(100000000000 + i * 10 + j)}" } }\n`;
  });
});
write('idlc.yaml', registry);
write('scripts/tools.versions', 'TOFU_VERSION=1.12.6\n');
write(
  'terramate.tm.hcl',
  'terramate {\n  config {\n    git {\n      default_branch = "main"\n      check_untracked = false\n      check_uncommitted = false\n      check_remote = false\n    }\n  }\n}\n',
);

const variables = 'variable "name" {\n  type        = string\n  description = "Name prefix."\n}\n';
const mod = (level, i) => `idlc/aws/modules/${level}-${pad(i)}`;
for (let i = 0; i < perLevel; i++) {
  write(`${mod('leaf', i)}/main.tf`, `resource "terraform_data" "this" {\n  input = var.name\n}\n`);
  write(`${mod('leaf', i)}/variables.tf`, variables);
  write(`${mod('leaf', i)}/outputs.tf`, 'output "id" {\n  value = terraform_data.this.id\n}\n');
  write(`${mod('leaf', i)}/README.md`, `# leaf ${i}\n`);
}
for (const [level, child] of [
  ['mid', 'leaf'],
  ['top', 'mid'],
]) {
  for (let i = 0; i < perLevel; i++) {
    const calls = [pick(perLevel), pick(perLevel)]
      .map((c, k) => `module "${child}_${k}" {\n  source = "../${child}-${pad(c)}"\n  name   = var.name\n}\n`)
      .join('\n');
    write(`${mod(level, i)}/main.tf`, calls);
    write(`${mod(level, i)}/variables.tf`, variables);
    write(`${mod(level, i)}/outputs.tf`, `output "ok" {\n  value = true\n}\n`);
    write(`${mod(level, i)}/README.md`, `# ${level} ${i}\n`);
  }
}

let stacks = 0;
for (const t of teams) {
  for (const e of ENVS) {
    for (let s = 0; s < PER_ENV; s++) {
      const d = `idlc/aws/environments/${t}/${e}/s${pad(s)}`;
      const a = pick(perLevel);
      const b = pick(perLevel);
      write(`${d}/versions.tf`, 'terraform {\n  backend "s3" {}\n}\n');
      write(
        `${d}/main.tf`,
        `provider "aws" {\n  allowed_account_ids = ["000000000000"]\n}\n\nmodule "a" {\n  source = "../../../../modules/top-${pad(a)}"\n  name   = "${t}-${e}-a"\n}\n\nmodule "b" {\n  source = "../../../../modules/top-${pad(b)}"\n  name   = "${t}-${e}-b"\n}\n`,
      );
      write(`${d}/variables.tf`, variables);
      write(`${d}/terraform.tfvars`, `name = "${t}-${e}-s${s}"\n`);
      write(`${d}/stack.tm.hcl`, `stack {\n  name = "${t}-${e}-s${s}"\n  id   = "${t}-${e}-s${pad(s)}"\n}\n`);
      stacks++;
    }
  }
}

// Non-infrastructure files up to the requested total (manifests and docs, as a real repo has).
for (let i = 0; count < FILES; i++) {
  const t = teams[i % teams.length];
  write(
    `sdlc/teams/${t}/${ENVS[i % 2]}/app-${pad(i % 40)}/config-${i}.yaml`,
    `kind: ConfigMap\nmetadata:\n  name: c${i}\n`,
  );
}

const git = (...a) =>
  execFileSync('git', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
git('init', '-q', '-b', 'main');
git('config', 'user.email', 'bench@idlc.local');
git('config', 'user.name', 'bench');
git('config', 'commit.gpgsign', 'false');
git('add', '-A');
git('commit', '-q', '-m', 'synthetic monorepo');
console.log(JSON.stringify({ dir, files: count, stacks, modules: perLevel * 3, teams: TEAMS }));
