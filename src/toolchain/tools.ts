import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TOOLS_VERSIONS_FILE = 'scripts/tools.versions';

/** The cache scripts/install-tools installs into. */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['IDLC_TOOLS_DIR'] ?? join(homedir(), '.cache', 'idlc', 'tools');
}

/** PATH with the tools cache first, for child processes. */
export function toolPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = toolsDir(env);
  return [join(dir, 'bin'), join(dir, 'venv', 'bin'), env['PATH'] ?? ''].join(delimiter);
}

export async function readPinnedVersions(root: string): Promise<Record<string, string>> {
  const text = await readFile(join(root, TOOLS_VERSIONS_FILE), 'utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=("?)(.*)\2\s*$/.exec(line.trim());
    if (m) out[m[1] as string] = m[3] as string;
  }
  return out;
}

export interface ToolSpec {
  name: string;
  /** Program to run when it differs from the name (moto has no --version: ask its package). */
  command?: string;
  versionKey: string;
  args: string[];
  /** Pull the version out of the tool's own output. */
  parse: (out: string) => string | undefined;
  /** Only needed for some tasks (reported, not fatal, when missing). */
  optional?: boolean;
}

const first = (re: RegExp) => (out: string) => re.exec(out)?.[1];

export const TOOLS: ToolSpec[] = [
  {
    name: 'tofu',
    versionKey: 'TOFU_VERSION',
    args: ['version', '-json'],
    parse: first(/"terraform_version":\s*"([^"]+)"/),
  },
  { name: 'opa', versionKey: 'OPA_VERSION', args: ['version'], parse: first(/Version:\s*(\S+)/) },
  { name: 'regal', versionKey: 'REGAL_VERSION', args: ['version'], parse: first(/(\d+\.\d+\.\d+)/) },
  {
    name: 'tflint',
    versionKey: 'TFLINT_VERSION',
    args: ['--version'],
    parse: first(/version (\d+\.\d+\.\d+)/),
  },
  {
    name: 'actionlint',
    versionKey: 'ACTIONLINT_VERSION',
    args: ['-version'],
    parse: first(/^v?(\d+\.\d+\.\d+)/m),
  },
  {
    name: 'kustomize',
    versionKey: 'KUSTOMIZE_VERSION',
    args: ['version'],
    parse: first(/v?(\d+\.\d+\.\d+)/),
  },
  {
    name: 'helm',
    versionKey: 'HELM_VERSION',
    args: ['version', '--short'],
    parse: first(/v(\d+\.\d+\.\d+)/),
  },
  { name: 'kubeconform', versionKey: 'KUBECONFORM_VERSION', args: ['-v'], parse: first(/v?(\d+\.\d+\.\d+)/) },
  {
    name: 'moto_server',
    command: 'python',
    versionKey: 'MOTO_VERSION',
    args: ['-c', 'import shutil, moto; assert shutil.which("moto_server"); print(moto.__version__)'],
    parse: first(/(\d+\.\d+\.\d+)/),
  },
  { name: 'checkov', versionKey: 'CHECKOV_VERSION', args: ['--version'], parse: first(/(\d+\.\d+\.\d+)/) },
];

export interface ToolStatus {
  name: string;
  pinned: string | undefined;
  found: string | undefined;
  ok: boolean;
  detail: string;
}

export async function toolVersion(
  spec: ToolSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ version?: string; error?: string }> {
  try {
    const { stdout, stderr } = await run(spec.command ?? spec.name, spec.args, {
      env: {
        ...env,
        PATH: toolPath(env),
        TF_CLI_CONFIG_FILE: '/dev/null',
        CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true',
      },
      timeout: 60_000,
    });
    const version = spec.parse(`${stdout}\n${stderr}`);
    return version ? { version } : { error: `could not read a version from: ${stdout.slice(0, 80)}` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code === 'ENOENT' ? 'not installed' : (e.message.split('\n')[0] ?? 'failed') };
  }
}

export async function checkTools(root: string, env: NodeJS.ProcessEnv = process.env): Promise<ToolStatus[]> {
  const pins = await readPinnedVersions(root);
  return Promise.all(
    TOOLS.map(async (spec) => {
      const pinned = pins[spec.versionKey];
      const { version, error } = await toolVersion(spec, env);
      const ok = version !== undefined && version === pinned;
      const detail = error ?? (ok ? 'ok' : `found ${version}, pinned ${pinned}`);
      return { name: spec.name, pinned, found: version, ok, detail };
    }),
  );
}

export function providerMirror(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolsDir(env), 'providers');
}

export function cliConfigFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const f = join(toolsDir(env), 'tofurc');
  return existsSync(f) ? f : undefined;
}
