#!/usr/bin/env node
// PR-latency benchmark: what a pull request that changes N stacks costs on the idlc path, phase
// by phase, against a plain `tofu init && tofu plan -out` loop over the same N stacks.
//
//   npm run build && source ~/.cache/idlc/tools/env.sh
//   node bench/pr/run.mjs [--stacks 1,10,50] [--runs 3] [--dir bench/.work/pr-bench]
//
// Everything runs on this machine: a generated repository (25 teams × dev/prod × 2 stacks of
// terraform_data + hashicorp/time from the local provider mirror, committed lock files), moto for
// S3 and STS, and a loopback stand-in for the runner's ID-token endpoint. The idlc side runs the
// real entry points: the CLI (`idlc affected`, `idlc report`) and the bundled plan action
// (`node actions/plan/dist/index.cjs`, inputs as INPUT_* variables, as a runner starts it).
// Stacks run one after another here; the workflows give each stack its own matrix job.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { zipSync } from 'fflate';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const SIZES = opt('stacks', '1,10,50')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const RUNS = Number(opt('runs', '3'));
// The largest size may take fewer runs (it dominates the wall time): --runs-largest 1.
const RUNS_LARGEST = Math.min(RUNS, Number(opt('runs-largest', String(RUNS))));
const WORK = resolve(opt('dir', join(root, 'bench', '.work', 'pr-bench')));
const JSON_OUT = opt('json', '');
const TEAMS = 25;
const ENVS = ['dev', 'prod'];
const PER_ENV = 2;
const TOTAL = TEAMS * ENVS.length * PER_ENV;
const cli = join(root, 'bin', 'idlc.mjs');
const planAction = join(root, 'actions', 'plan', 'dist', 'index.cjs');

// ---------------------------------------------------------------------------- preflight

if (SIZES.length === 0 || !(RUNS >= 1)) {
  console.error('usage: run.mjs [--stacks 1,10,50] [--runs 3] [--dir DIR] [--json FILE]');
  process.exit(2);
}
if (Math.max(...SIZES) > TEAMS * ENVS.length) {
  console.error(`--stacks: at most ${TEAMS * ENVS.length} (one changed stack per team and env)`);
  process.exit(2);
}
for (const f of [join(root, 'dist', 'cli', 'idlc.cjs'), planAction]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}: npm run build`);
    process.exit(2);
  }
}
const tofurc = process.env.TF_CLI_CONFIG_FILE;
if (!tofurc || !existsSync(tofurc)) {
  console.error('no provider mirror: source ~/.cache/idlc/tools/env.sh (scripts/install-tools writes it)');
  process.exit(2);
}
const mirror = /path\s*=\s*"([^"]+)"/.exec(readFileSync(tofurc, 'utf8'))?.[1];
for (const tool of ['tofu', 'opa', 'moto_server', 'git']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    console.error(`${tool} is not on PATH: source ~/.cache/idlc/tools/env.sh`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------------------- helpers

const pad = (n, w = 2) => String(n).padStart(w, '0');
const median = (xs) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const write = (path, text) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};
// Fixed commit dates: the same arguments give the same commits, hence the same shas.
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};
const git = (cwd, ...a) =>
  execFileSync('git', a, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 26 }).trim();

/** Run a process; resolve with wall time (ms), exit code and output. */
function run(cmd, argv, o = {}) {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0 && !o.allowFail) {
        reject(
          new Error(
            `${cmd} ${argv.join(' ')} exited ${code}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`,
          ),
        );
      } else resolvePromise({ ms, code, stdout, stderr });
    });
  });
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createNetServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// ---------------------------------------------------------------------------- the repository

const teams = Array.from({ length: TEAMS }, (_, i) => `team-${pad(i)}`);
const accountOf = (t, e) => String(200000000000 + teams.indexOf(t) * 10 + ENVS.indexOf(e) + 1);
const stackName = (s) => `s${s}`;

/** The changed stacks for N, in a fixed order that spreads them over teams first, then envs. */
const changeOrder = [];
for (const e of ENVS) for (const t of teams) changeOrder.push({ team: t, env: e, name: stackName(0) });
const stackDir = (s) => `idlc/aws/environments/${s.team}/${s.env}/${s.name}`;
const stackId = (s) => `aws/${s.team}/${s.env}/${s.name}`;

function registry() {
  let y = `version: 1
engine: { name: tofu, version: 1.12.6 }
clouds: { aws: { default_region: eu-west-1 } }
environments:
  - name: dev
  - name: prod
    protected: true
state:
  bucket: idlc-tfstate-{team}-{account_id}
  key: "{env}/{stack}/terraform.tfstate"
  plans_prefix: plans/
teams:
`;
  teams.forEach((t, i) => {
    y += `  ${t}:\n    owners: ["@acme/${t}"]\n    cost_center: cc-${pad(i, 4)}\n    envs:\n`;
    for (const e of ENVS) y += `      ${e}: { aws: { account_id: "${accountOf(t, e)}" } }\n`;
  });
  return y;
}

const VERSIONS_TF = `terraform {
  required_version = ">= 1.10.0"
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "0.14.2"
    }
  }
  # Partial backend: idlc injects bucket, key, region and lockfile from idlc.yaml.
  backend "s3" {}
}
`;
const VARIABLES_TF = `variable "idlc" {
  description = "Injected by idlc from the platform registry."
  type = object({
    team        = string
    env         = string
    account_id  = string
    region      = string
    cost_center = string
    owner       = string
    stack       = string
  })
}
`;
const mainTf = (message) => `module "label" {
  source = "../../../../modules/label"
  team   = var.idlc.team
  env    = var.idlc.env
}

resource "terraform_data" "config" {
  input = {
    name    = module.label.name
    message = "${message}"
    account = var.idlc.account_id
  }
}

resource "time_static" "created" {}

output "name" {
  value = module.label.name
}
`;
const LABEL_TF = `variable "team" {
  type = string
}

variable "env" {
  type = string
}

output "name" {
  value = "\${var.team}-\${var.env}"
}
`;

/**
 * The provider as the registry ships it: a zip in a packed filesystem mirror of the bench's own
 * tools folder (IDLC_TOOLS_DIR; idlc passes its tofurc to the engine). The toolkit's mirror is
 * unpacked, and tofu links an unpacked mirror into the plugin cache instead of installing it,
 * so with it "cold" would cost nothing; from the zip a cold init extracts the provider as after a
 * registry download (the download itself is not measured).
 */
function packedMirror(work) {
  const platforms = readdirSync(join(mirror, 'registry.opentofu.org', 'hashicorp', 'time', '0.14.2'));
  const platform = platforms[0];
  const binary = 'terraform-provider-time_v0.14.2';
  const bytes = readFileSync(
    join(mirror, 'registry.opentofu.org', 'hashicorp', 'time', '0.14.2', platform, binary),
  );
  const zip = zipSync(
    // Unix, mode 0755 (external attributes), fixed mtime: the same zip, hence the same zh: hash.
    {
      [binary]: [
        bytes,
        { level: 6, os: 3, attrs: 0o100755 * 65536, mtime: new Date('2026-01-01T00:00:00Z') },
      ],
    },
  );
  const tools = join(work, 'tools');
  const providers = join(tools, 'providers');
  write(
    join(
      providers,
      'registry.opentofu.org',
      'hashicorp',
      'time',
      `terraform-provider-time_0.14.2_${platform}.zip`,
    ),
    zip,
  );
  write(
    join(tools, 'tofurc'),
    `provider_installation {\n  filesystem_mirror {\n    path    = "${providers}"\n    include = ["registry.opentofu.org/*/*"]\n  }\n}\n`,
  );
  return { toolsDir: tools, tofurc: join(tools, 'tofurc') };
}

/** The lock file `tofu init` writes for hashicorp/time 0.14.2 (committed, as docs/engine.md asks). */
async function lockFile(work, tools) {
  const d = join(work, 'lock-probe');
  write(join(d, 'versions.tf'), VERSIONS_TF.replace('backend "s3" {}', ''));
  await run('tofu', ['init', '-input=false', '-no-color', '-backend=false'], {
    cwd: d,
    env: { ...process.env, TF_CLI_CONFIG_FILE: tools.tofurc, TF_PLUGIN_CACHE_DIR: '' },
  });
  const text = readFileSync(join(d, '.terraform.lock.hcl'), 'utf8');
  rmSync(d, { recursive: true, force: true });
  return text;
}

async function generate() {
  rmSync(WORK, { recursive: true, force: true });
  const repo = join(WORK, 'repo');
  mkdirSync(repo, { recursive: true });
  const tools = packedMirror(WORK);
  const lock = await lockFile(WORK, tools);
  write(join(repo, 'idlc.yaml'), registry());
  cpSync(join(root, 'policy'), join(repo, 'policy'), { recursive: true });
  write(join(repo, 'idlc/aws/modules/label/main.tf'), LABEL_TF);
  for (const t of teams) {
    for (const e of ENVS) {
      for (let s = 0; s < PER_ENV; s++) {
        const d = join(repo, stackDir({ team: t, env: e, name: stackName(s) }));
        write(join(d, 'versions.tf'), VERSIONS_TF);
        write(join(d, 'variables.tf'), VARIABLES_TF);
        write(join(d, 'main.tf'), mainTf('hello'));
        write(join(d, '.terraform.lock.hcl'), lock);
      }
    }
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'bench@idlc.local');
  git(repo, 'config', 'user.name', 'bench');
  git(repo, 'config', 'commit.gpgsign', 'false');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'synthetic platform repository');
  const base = git(repo, 'rev-parse', 'HEAD');
  const heads = {};
  for (const n of SIZES) {
    git(repo, 'checkout', '-q', '-B', `pr-${n}`, base);
    for (const s of changeOrder.slice(0, n))
      write(join(repo, stackDir(s), 'main.tf'), mainTf(`changed by pr-${n}`));
    git(repo, 'commit', '-q', '-am', `change ${n} stacks`);
    heads[n] = git(repo, 'rev-parse', 'HEAD');
  }
  git(repo, 'checkout', '-q', 'main');
  // The workflow's two trees: the default branch (registry, policy) and the PR's checkout; the
  // plain loop gets a checkout of its own so neither sees the other's .terraform folders.
  git(repo, 'worktree', 'add', '-q', '--detach', join(WORK, 'trusted'), 'main');
  git(repo, 'worktree', 'add', '-q', '--detach', join(WORK, 'peer'), 'main');
  return { repo, base, heads, tools };
}

// ---------------------------------------------------------------------------- services

async function startMoto() {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/data.json`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const s3 = new S3Client({
    region: 'eu-west-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  for (const t of teams) {
    for (const e of ENVS) {
      const Bucket = `idlc-tfstate-${t}-${accountOf(t, e)}`;
      await s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      );
      await s3.send(
        new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
  }
  s3.destroy();
  return { endpoint, stop: () => child.kill('SIGTERM') };
}

/**
 * The runner's ID-token endpoint (what core.getIDToken calls). moto's STS does not verify the
 * token, so a well-formed JWT with GitHub's claims for a PR plan job is enough here.
 */
async function startTokenService() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const server = createServer((req, res) => {
    const aud = new URL(req.url ?? '/', 'http://x').searchParams.get('audience') ?? 'sts.amazonaws.com';
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'https://token.actions.githubusercontent.com',
      aud,
      sub: 'repo:acme/infra:pull_request',
      repository: 'acme/infra',
      event_name: 'pull_request',
      job_workflow_ref: 'acme/infra/.github/workflows/idlc-plan-run.yml@refs/heads/main',
      iat: now,
      nbf: now,
      exp: now + 300,
    };
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({ value: `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.${'c2ln'.repeat(20)}` }),
    );
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/token?api-version=2.0`, stop: () => server.close() };
}

// ---------------------------------------------------------------------------- idlc side

/** `idlc affected --base <main> --json` in the PR checkout, as the detect job runs it. */
async function detect(ctx, n) {
  const r = await run(
    process.execPath,
    [cli, 'affected', '--base', ctx.base, '--head', ctx.heads[n], '--json'],
    {
      cwd: ctx.repo,
    },
  );
  const found = JSON.parse(r.stdout).stacks.length;
  if (found !== n) throw new Error(`idlc affected found ${found} stacks for pr-${n}, expected ${n}`);
  return r.ms;
}

async function matrixEntries(ctx, n) {
  const r = await run(
    process.execPath,
    [cli, 'affected', '--base', ctx.base, '--head', ctx.heads[n], '--matrix'],
    {
      cwd: ctx.repo,
    },
  );
  return JSON.parse(r.stdout).include;
}

/**
 * One matrix job: the bundled plan action with a runner's environment. `runnerTemp` holds
 * idlc-plugin-cache (empty: cold; populated: warm, as after a provider-cache hit).
 */
async function planJob(ctx, entry, runnerTemp, resultDir, n, jobIndex) {
  rmSync(resultDir, { recursive: true, force: true });
  const files = join(runnerTemp, '..', `runner-files-${jobIndex}`);
  mkdirSync(files, { recursive: true });
  const event = join(files, 'event.json');
  const headSha = ctx.heads[n];
  writeFileSync(
    event,
    JSON.stringify({
      action: 'synchronize',
      number: 1000 + n,
      pull_request: {
        number: 1000 + n,
        head: { sha: headSha },
        base: { sha: ctx.base },
        user: { login: 'bench' },
        labels: [],
      },
    }),
  );
  for (const f of ['output', 'env', 'summary']) writeFileSync(join(files, f), '');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    // The bench's tools folder: its tofurc names the packed mirror. tofu, opa and bwrap come
    // from PATH (the toolkit's tools cache, first on PATH after env.sh).
    IDLC_TOOLS_DIR: ctx.tools.toolsDir,
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_ENV: join(files, 'env'),
    GITHUB_STEP_SUMMARY: join(files, 'summary'),
    GITHUB_EVENT_PATH: event,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_WORKSPACE: WORK,
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: String(4000 + n),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: headSha,
    RUNNER_TEMP: runnerTemp,
    ACTIONS_ID_TOKEN_REQUEST_URL: ctx.token.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bench-request-token',
    // As idlc-plan-run.yml sets it: PR Terraform never runs outside the engine sandbox.
    IDLC_ENGINE_SANDBOX: 'required',
    INPUT_STACK: JSON.stringify(entry),
    INPUT_ROOT: 'repo',
    'INPUT_TRUSTED-ROOT': 'trusted',
    'INPUT_GITHUB-TOKEN': '',
    'INPUT_RESULT-DIR': resultDir,
    'INPUT_LOCK-TIMEOUT': '5m',
    INPUT_POLICY: 'true',
    // No Actions cache service here: cold/warm is the state of RUNNER_TEMP/idlc-plugin-cache.
    'INPUT_PROVIDER-CACHE': 'false',
    'INPUT_SANDBOX-ENDPOINT': ctx.moto.endpoint,
  };
  const r = await run(process.execPath, [planAction], { cwd: WORK, env, allowFail: true });
  const resultFiles = existsSync(join(resultDir, 'results')) ? readdirSync(join(resultDir, 'results')) : [];
  if (r.code !== 0 || resultFiles.length !== 1) {
    throw new Error(
      `plan action for ${entry.id} exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`,
    );
  }
  const result = JSON.parse(readFileSync(join(resultDir, 'results', resultFiles[0]), 'utf8'));
  if (result.status !== 'changes')
    throw new Error(`${entry.id}: status ${result.status} ${result.error ?? ''}`);
  const cmd = (name) =>
    result.timings.commands.filter((c) => c.command === name).reduce((a, c) => a + c.ms, 0);
  const phases = result.timings.phases ?? {};
  const t = {
    wall: r.ms,
    version: cmd('version'),
    init: cmd('init'),
    plan: cmd('plan'),
    show: cmd('show'),
    policy: phases.policy ?? 0,
    credentials: phases.credentials ?? 0,
    contentHash: phases['content-hash'] ?? 0,
    bundle: phases.bundle ?? 0,
    planStackTotal: result.timings.totalMs,
  };
  t.other = t.wall - t.init - t.plan - t.show - t.policy;
  // Outside planStack: Node start, bundle load, registry and stack discovery, result file and
  // the attested manifest. Inside it, before credentials: the isolation lint (HCL parser) and
  // the engine sandbox set-up (bwrap probe), beside the version check.
  t.outside = t.wall - t.planStackTotal;
  t.lint = (phases['lint+version'] ?? 0) - t.version;
  return t;
}

async function idlcSide(ctx, n, entries, runDir) {
  const out = { cold: [], warm: [] };
  const results = join(runDir, 'artifacts');
  // cold: every job starts on a fresh runner with no provider cache hit
  for (const [i, entry] of entries.entries()) {
    const temp = join(runDir, 'cold-runner');
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    out.cold.push(await planJob(ctx, entry, temp, join(results, `cold-${i}`), n, i));
  }
  // warm: the provider cache is in place (copied from the seed: what a cache hit restores)
  const warmTemp = join(runDir, 'warm-runner');
  for (const [i, entry] of entries.entries()) {
    rmSync(warmTemp, { recursive: true, force: true });
    mkdirSync(warmTemp, { recursive: true });
    cpSync(ctx.seedCache, join(warmTemp, 'idlc-plugin-cache'), { recursive: true });
    out.warm.push(await planJob(ctx, entry, warmTemp, join(results, `warm-${i}`), n, i));
  }
  // report: the PR comment for the N result files, as the report job reads them
  const reportIn = join(runDir, 'report-in');
  rmSync(reportIn, { recursive: true, force: true });
  mkdirSync(reportIn, { recursive: true });
  for (let i = 0; i < entries.length; i++) {
    const dir = join(results, `warm-${i}`, 'results');
    for (const f of readdirSync(dir)) cpSync(join(dir, f), join(reportIn, f));
  }
  const comment = join(runDir, 'comment.md');
  const rep = await run(process.execPath, [cli, 'report', '--results-dir', reportIn, '--out', comment], {
    cwd: ctx.repo,
  });
  out.report = rep.ms;
  out.commentChars = readFileSync(comment, 'utf8').length;
  return out;
}

// ---------------------------------------------------------------------------- plain side

function backendArgs(s, endpoint) {
  return [
    `-backend-config=bucket=idlc-tfstate-${s.team}-${accountOf(s.team, s.env)}`,
    `-backend-config=key=${s.env}/${s.name}/terraform.tfstate`,
    '-backend-config=region=eu-west-1',
    '-backend-config=encrypt=true',
    '-backend-config=use_lockfile=true',
    `-backend-config=endpoints={s3="${endpoint}",sts="${endpoint}"}`,
    '-backend-config=use_path_style=true',
    '-backend-config=skip_credentials_validation=true',
    '-backend-config=skip_requesting_account_id=true',
    '-backend-config=skip_region_validation=true',
    '-backend-config=skip_metadata_api_check=true',
  ];
}

function plainEnv(s, cacheDir, tools) {
  const i = teams.indexOf(s.team);
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TF_CLI_CONFIG_FILE: tools.tofurc,
    TF_PLUGIN_CACHE_DIR: cacheDir,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    TF_VAR_idlc: JSON.stringify({
      team: s.team,
      env: s.env,
      account_id: accountOf(s.team, s.env),
      region: 'eu-west-1',
      cost_center: `cc-${pad(i, 4)}`,
      owner: `@acme/${s.team}`,
      stack: stackId(s),
    }),
  };
}

/** `tofu init && tofu plan -out` in a clean stack folder (a fresh checkout has no .terraform). */
async function plainStack(ctx, s, cacheDir, verb = 'plan') {
  const cwd = join(ctx.peer, stackDir(s));
  rmSync(join(cwd, '.terraform'), { recursive: true, force: true });
  const env = plainEnv(s, cacheDir, ctx.tools);
  const init = await run(
    'tofu',
    ['init', '-input=false', '-no-color', ...backendArgs(s, ctx.moto.endpoint)],
    {
      cwd,
      env,
    },
  );
  const planFile = join(ctx.work, 'plain.tfplan');
  const planArgs =
    verb === 'apply'
      ? ['apply', '-input=false', '-no-color', '-auto-approve']
      : ['plan', '-input=false', '-no-color', `-out=${planFile}`, '-lock-timeout=5m'];
  const plan = await run('tofu', planArgs, { cwd, env });
  rmSync(join(cwd, '.terraform'), { recursive: true, force: true });
  rmSync(planFile, { force: true });
  return { init: init.ms, plan: plan.ms, wall: init.ms + plan.ms };
}

async function plainSide(ctx, n) {
  git(ctx.peer, 'checkout', '-q', '-f', '--detach', ctx.heads[n]);
  const out = { cold: [], warm: [] };
  const stacks = changeOrder.slice(0, n);
  const coldCache = join(ctx.work, 'plain-cold-cache');
  for (const s of stacks) {
    rmSync(coldCache, { recursive: true, force: true });
    mkdirSync(coldCache, { recursive: true });
    out.cold.push(await plainStack(ctx, s, coldCache));
  }
  for (const s of stacks) out.warm.push(await plainStack(ctx, s, ctx.seedCache));
  return out;
}

// ---------------------------------------------------------------------------- main

async function main() {
  const load0 = loadavg();
  const started = Date.now();
  console.error(`generating ${TOTAL} stacks in ${WORK} …`);
  const gen = await generate();
  const moto = await startMoto();
  const token = await startTokenService();
  const ctx = {
    ...gen,
    moto,
    token,
    work: WORK,
    peer: join(WORK, 'peer'),
    seedCache: join(WORK, 'provider-cache-seed'),
  };
  const samples = Object.fromEntries(SIZES.map((n) => [n, []]));
  try {
    // Existing state for every stack a PR will change: PRs change infrastructure that exists.
    mkdirSync(ctx.seedCache, { recursive: true });
    const maxN = Math.max(...SIZES);
    console.error(`applying the base state of ${maxN} stacks (plain tofu, untimed) …`);
    for (const s of changeOrder.slice(0, maxN)) await plainStack(ctx, s, ctx.seedCache, 'apply');
    // Warm-up, untimed: page cache, bwrap probe, OPA, moto's first requests.
    git(ctx.repo, 'checkout', '-q', `pr-${SIZES[0]}`);
    const warmEntries = await matrixEntries(ctx, SIZES[0]);
    const warmDir = join(WORK, 'warm-up');
    mkdirSync(join(warmDir, 'runner'), { recursive: true });
    cpSync(ctx.seedCache, join(warmDir, 'runner', 'idlc-plugin-cache'), { recursive: true });
    await planJob(ctx, warmEntries[0], join(warmDir, 'runner'), join(warmDir, 'out'), SIZES[0], 0);
    await plainSide(ctx, SIZES[0]);

    for (let r = 0; r < RUNS; r++) {
      for (const n of SIZES) {
        if (n === Math.max(...SIZES) && r >= RUNS_LARGEST) continue;
        const runDir = join(WORK, 'runs', `n${n}`);
        rmSync(runDir, { recursive: true, force: true });
        mkdirSync(runDir, { recursive: true });
        git(ctx.repo, 'checkout', '-q', `pr-${n}`);
        const t0 = Date.now();
        const detectMs = await detect(ctx, n);
        const entries = await matrixEntries(ctx, n);
        // Alternate who goes first so drift in machine load favours neither side.
        let ours;
        let plain;
        if (r % 2 === 0) {
          ours = await idlcSide(ctx, n, entries, runDir);
          plain = await plainSide(ctx, n);
        } else {
          plain = await plainSide(ctx, n);
          ours = await idlcSide(ctx, n, entries, runDir);
        }
        samples[n].push({ detect: detectMs, ours, plain });
        console.error(
          `run ${r + 1}/${RUNS}, ${n} stack(s): ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()
            .map((x) => x.toFixed(2))
            .join(' ')}`,
        );
      }
    }
  } finally {
    moto.stop();
    token.stop();
  }
  const load1 = loadavg();
  report(samples, { load0, load1, minutes: (Date.now() - started) / 60000 });
}

// ---------------------------------------------------------------------------- output

function report(samples, meta) {
  const rows = [];
  for (const n of SIZES) {
    const runs = samples[n];
    if (!runs.length) continue;
    // Per run: the phase summed over the N stacks (sequential); then the median over runs.
    const per = (f) => median(runs.map(f));
    const s = (side, mode, key) => (x) => sum(x[side][mode].map((t) => t[key]));
    const row = {
      n,
      runs: runs.length,
      detect: per((x) => x.detect),
      initCold: per((x) => sum(x.ours.cold.map((t) => t.init))),
      initWarm: per((x) => sum(x.ours.warm.map((t) => t.init))),
      plan: per((x) => sum(x.ours.warm.map((t) => t.plan + t.show))),
      policy: per((x) => sum(x.ours.warm.map((t) => t.policy))),
      report: per((x) => x.ours.report),
      other: per((x) => sum(x.ours.warm.map((t) => t.other))),
      credentials: per(s('ours', 'warm', 'credentials')),
      bundle: per(s('ours', 'warm', 'bundle')),
      version: per(s('ours', 'warm', 'version')),
      contentHash: per(s('ours', 'warm', 'contentHash')),
      outside: per(s('ours', 'warm', 'outside')),
      lint: per(s('ours', 'warm', 'lint')),
      oursCold: per((x) => x.detect + sum(x.ours.cold.map((t) => t.wall)) + x.ours.report),
      oursWarm: per((x) => x.detect + sum(x.ours.warm.map((t) => t.wall)) + x.ours.report),
      jobCold: median(runs.flatMap((x) => x.ours.cold.map((t) => t.wall))),
      jobWarm: median(runs.flatMap((x) => x.ours.warm.map((t) => t.wall))),
      plainInitCold: per(s('plain', 'cold', 'init')),
      plainInitWarm: per(s('plain', 'warm', 'init')),
      plainPlan: per(s('plain', 'warm', 'plan')),
      plainCold: per(s('plain', 'cold', 'wall')),
      plainWarm: per(s('plain', 'warm', 'wall')),
      plainJobWarm: median(runs.flatMap((x) => x.plain.warm.map((t) => t.wall))),
      commentChars: runs[0].ours.commentChars,
    };
    rows.push(row);
  }
  const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const msf = (ms) => `${Math.round(ms).toLocaleString('en-US')} ms`;
  const lines = [];
  lines.push(
    `machine: ${cpus().length} cores; load average at start ${meta.load0.map((x) => x.toFixed(2)).join(' ')}, at end ${meta.load1
      .map((x) => x.toFixed(2))
      .join(' ')}; ${meta.minutes.toFixed(1)} min`,
    '',
    'Phases, idlc path (medians over runs of the sum over the N stacks, run one after another):',
    '',
    '| changed stacks | runs | detect | init cold | init warm | plan + show | policy (OPA) | report | rest of the plan job | idlc total, cold | idlc total, warm |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) {
    lines.push(
      `| ${r.n} | ${r.runs} | ${msf(r.detect)} | ${sec(r.initCold)} | ${sec(r.initWarm)} | ${sec(r.plan)} | ${sec(r.policy)} | ${msf(r.report)} | ${sec(r.other)} | ${sec(r.oursCold)} | ${sec(r.oursWarm)} |`,
    );
  }
  lines.push(
    '',
    'Against the plain loop (`tofu init && tofu plan -out` per stack, no idlc):',
    '',
    '| changed stacks | plain init cold | plain init warm | plain plan | plain total, cold | plain total, warm | idlc / plain, cold | idlc / plain, warm | idlc overhead per stack, warm | one plan job (idlc, warm / cold) | one stack plain, warm |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) {
    lines.push(
      `| ${r.n} | ${sec(r.plainInitCold)} | ${sec(r.plainInitWarm)} | ${sec(r.plainPlan)} | ${sec(r.plainCold)} | ${sec(r.plainWarm)} | ${(r.oursCold / r.plainCold).toFixed(2)} | ${(r.oursWarm / r.plainWarm).toFixed(2)} | ${msf((r.oursWarm - r.plainWarm) / r.n)} | ${sec(r.jobWarm)} / ${sec(r.jobCold)} | ${sec(r.plainJobWarm)} |`,
    );
  }
  lines.push(
    '',
    '"rest of the plan job" (warm) = action process wall time − init − plan − show − policy; of it:',
    '',
    '| changed stacks | process start, registry, discovery, manifest | isolation lint + sandbox set-up | engine version check | credentials (ID token, STS, account guard) | content hash | bundle → S3 | PR comment size |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) {
    lines.push(
      `| ${r.n} | ${sec(r.outside)} | ${sec(r.lint)} | ${sec(r.version)} | ${sec(r.credentials)} | ${sec(r.contentHash)} | ${sec(r.bundle)} | ${r.commentChars.toLocaleString('en-US')} chars |`,
    );
  }
  console.log(lines.join('\n'));
  if (JSON_OUT) writeFileSync(resolve(JSON_OUT), `${JSON.stringify({ meta, rows, samples }, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
