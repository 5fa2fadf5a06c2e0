import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { toolPath, toolsDir } from '../toolchain/tools.ts';
import { UsageError } from '../util/errors.ts';
import { inheritedBaseEnv, PATH_VALUED_KEYS } from './child-env.ts';
import { type ExecFn, runHome, runTmp } from './runner.ts';

/**
 * Every engine child (tofu/terraform), opa and checkov runs the pull request's content: its
 * Terraform (providers, `local-exec`), its plan JSON. As a plain child of the action it would
 * share the action's uid, so it could read `/proc/<parent>/environ` (the runner's
 * ACTIONS_ID_TOKEN_REQUEST_*, ACTIONS_RUNTIME_TOKEN) and write the runner's GITHUB_ENV /
 * GITHUB_OUTPUT / GITHUB_PATH files (code execution in every later step). This module runs it
 * in a sandbox instead:
 *
 *   bwrap    a new root with only the system folders, the tools, the checkout (read-only), the
 *            run's own folder and the provider cache; its own PID namespace and /proc.
 *   unshare  (root only, when bwrap is unusable) own PID and mount namespace: the whole file
 *            system read-only, the runner's files hidden under empty tmpfs, no capabilities.
 *   none     a laptop without either: runs as before, with a warning.
 *
 * IDLC_ENGINE_SANDBOX: `auto` (default: the best available), `required` (CI: refuse without
 * one), `off`, or `bwrap` / `unshare` (required, and only that kind: tests and diagnosis).
 */
export type SandboxMode = 'required' | 'auto' | 'off' | 'bwrap' | 'unshare';
export type SandboxKind = 'bwrap' | 'unshare' | 'none';
export const SANDBOX_ENV = 'IDLC_ENGINE_SANDBOX';
const MODES: readonly SandboxMode[] = ['required', 'auto', 'off', 'bwrap', 'unshare'];

export function sandboxModeFrom(env: NodeJS.ProcessEnv): SandboxMode {
  const raw = (env[SANDBOX_ENV] ?? '').trim();
  if (raw === '') return 'auto';
  if ((MODES as readonly string[]).includes(raw)) return raw as SandboxMode;
  throw new UsageError(
    `${SANDBOX_ENV}=${raw} is not a sandbox mode`,
    `set ${SANDBOX_ENV} to required (CI), auto (default) or off`,
  );
}

export interface SandboxProbe {
  /** Programs that passed their probe, by kind. */
  bwrap?: string;
  unshare?: { unshare: string; setpriv: string };
  /** Why bwrap is not usable (not found, or its probe's error). */
  bwrapProblem?: string;
  /** Why unshare is not usable. */
  unshareProblem?: string;
}

const BWRAP_NAMESPACES = [
  '--unshare-pid',
  '--unshare-ipc',
  '--unshare-uts',
  '--unshare-cgroup-try',
  '--die-with-parent',
  '--new-session',
];
const UNSHARE_NAMESPACES = ['--pid', '--fork', '--mount-proc', '--mount', '--ipc', '--uts'];

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ ok: boolean; out: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { env, timeout: 15_000 }, (err, stdout, stderr) =>
      done({ ok: !err, out: `${stderr}${stdout}`.trim() || (err ? err.message : '') }),
    );
  });
}

/** First executable `name` on PATH (absolute paths as given). */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const f = join(dir, name);
    try {
      const st = statSync(f);
      if (st.isFile() && st.mode & 0o111) return f;
    } catch {
      // not here
    }
  }
  return undefined;
}

const isRoot = () => process.getuid?.() === 0;
const probes = new Map<string, Promise<SandboxProbe>>();

/**
 * Which sandboxes work here, probed once per process (per tools folder and PATH). bwrap may be
 * installed yet unusable (user namespaces disabled, or restricted by AppArmor as on Ubuntu
 * 24.04), so it is run once with the namespaces it will use rather than trusted on sight.
 */
export function probeSandbox(env: NodeJS.ProcessEnv = process.env): Promise<SandboxProbe> {
  const tools = toolsDir(env);
  const key = `${tools}\0${env['PATH'] ?? ''}\0${isRoot()}`;
  let p = probes.get(key);
  if (!p) {
    p = probeNow(tools, env['PATH']);
    probes.set(key, p);
  }
  return p;
}

async function probeNow(tools: string, path: string | undefined): Promise<SandboxProbe> {
  const probe: SandboxProbe = {};
  const minimal = { PATH: '/usr/bin:/bin' };
  const candidates = [join(tools, 'bin', 'bwrap'), findOnPath('bwrap', path)].filter(
    (c, i, all): c is string => !!c && existsSync(c) && all.indexOf(c) === i,
  );
  const problems: string[] = [];
  for (const bwrap of candidates) {
    const r = await run(
      bwrap,
      [...BWRAP_NAMESPACES, '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'],
      minimal,
    );
    if (r.ok) {
      probe.bwrap = bwrap;
      break;
    }
    problems.push(`${bwrap}: ${r.out.split('\n')[0]}`);
  }
  if (!probe.bwrap) probe.bwrapProblem = problems.length > 0 ? problems.join('; ') : 'bwrap is not installed';
  const unshare = findOnPath('unshare', path);
  const setpriv = findOnPath('setpriv', path);
  if (!isRoot()) probe.unshareProblem = 'needs root (this process is not uid 0)';
  else if (!unshare || !setpriv) probe.unshareProblem = 'unshare or setpriv (util-linux) not found on PATH';
  else {
    const r = await run(
      unshare,
      [...UNSHARE_NAMESPACES, '/bin/sh', '-c', 'mount -o remount,bind,ro / && mount -t tmpfs none /tmp'],
      minimal,
    );
    if (r.ok) probe.unshare = { unshare, setpriv };
    else probe.unshareProblem = r.out.split('\n')[0] ?? 'probe failed';
  }
  return probe;
}

/** How to get a working bwrap, for errors and `idlc doctor`. */
export function bwrapFix(probe: SandboxProbe): string {
  const restricted = /permission|not permitted|uid map|namespace/i.test(probe.bwrapProblem ?? '');
  return restricted
    ? 'bwrap is installed but may not create user namespaces. On Ubuntu 23.10+ (GitHub ubuntu-24.04 runners) ' +
        'AppArmor restricts them: run `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` in a step ' +
        'before idlc (or install an AppArmor profile granting `userns` to the bwrap binary); elsewhere enable ' +
        '`kernel.unprivileged_userns_clone=1` / `user.max_user_namespaces`'
    : 'install bubblewrap: `scripts/install-tools --only bubblewrap` (Debian), or `sudo apt-get install -y bubblewrap`';
}

export interface SandboxChoice {
  kind: SandboxKind;
  program?: string;
  setpriv?: string;
  /** One line for `idlc doctor` and logs: what runs and why. */
  detail: string;
  /** Set when the engine runs without a sandbox: the caller surfaces it (once). */
  warning?: string;
}

/** Pick the sandbox for `mode`, or refuse (required, bwrap, unshare) when it is missing. */
export function chooseSandbox(mode: SandboxMode, probe: SandboxProbe): SandboxChoice {
  if (mode === 'off') {
    return {
      kind: 'none',
      detail: `${SANDBOX_ENV}=off: engine, opa and checkov run unsandboxed`,
      warning: `the engine sandbox is off (${SANDBOX_ENV}=off): Terraform from the repository runs with access to this process's environment and files`,
    };
  }
  const refuse = (what: string, why: string, fix: string): never => {
    throw new UsageError(
      `${SANDBOX_ENV}=${mode}: ${what} (${why}), so the engine will not run: ` +
        'the Terraform it plans could read the runner tokens and write GITHUB_ENV',
      fix,
    );
  };
  if (mode === 'bwrap' && !probe.bwrap)
    refuse('bubblewrap is not available here', probe.bwrapProblem ?? '', bwrapFix(probe));
  if (mode === 'unshare' && !probe.unshare) {
    refuse(
      'the unshare sandbox',
      probe.unshareProblem ?? '',
      'run as root with util-linux unshare and setpriv',
    );
  }
  if (probe.bwrap && mode !== 'unshare') {
    return { kind: 'bwrap', program: probe.bwrap, detail: `bubblewrap (${probe.bwrap})` };
  }
  if (probe.unshare) {
    return {
      kind: 'unshare',
      program: probe.unshare.unshare,
      setpriv: probe.unshare.setpriv,
      detail: `unshare as root, file system read-only with the runner's files hidden (bwrap: ${probe.bwrapProblem})`,
    };
  }
  if (mode === 'required') {
    refuse(
      'no process sandbox is available here',
      `bwrap: ${probe.bwrapProblem}; unshare: ${probe.unshareProblem}`,
      `${bwrapFix(probe)}; or, on a laptop only, ${SANDBOX_ENV}=auto`,
    );
  }
  return {
    kind: 'none',
    detail: `none (bwrap: ${probe.bwrapProblem}; unshare: ${probe.unshareProblem})`,
    warning:
      `no process sandbox is available (bwrap: ${probe.bwrapProblem}), so the engine runs with access to ` +
      `this process's environment and files. Fix: ${bwrapFix(probe)}`,
  };
}

const warned = new Set<string>();
/** The warning once per process (a job planning ten stacks says it once). */
export function warnOnce(choice: SandboxChoice): string | undefined {
  if (!choice.warning || warned.has(choice.warning)) return undefined;
  warned.add(choice.warning);
  return choice.warning;
}

/** What the child may see, beyond the system folders. All paths absolute. */
export interface SandboxMounts {
  /** Read-only: the checkout (stack and modules), the tools, credential files. */
  readOnly: string[];
  /** Read-write: the run's own folder. */
  readWrite: string[];
  /** Read-write only for the commands `when` accepts, read-only otherwise (the provider cache: init). */
  readWriteWhen?: { path: string; when: (args: string[]) => boolean }[];
  /** Hidden although a parent folder is mounted (the checkout's .git: checkout keeps a token there). */
  hidden?: string[];
  /**
   * The engine's working folder, seen through a writable layer kept in `upper` (inside the run
   * folder): `init` writes .terraform.lock.hcl there, the checkout stays untouched.
   */
  workDir?: WorkDir;
  /** unshare only: runner files to hide (bwrap mounts nothing it is not given). */
  runnerFiles?: string[];
}

export interface WorkDir {
  dir: string;
  /** The writable layer (in the run folder). */
  upper: string;
  /** unshare only: an empty folder (in the run folder) where the checkout's view of `dir` is kept. */
  stash: string;
}

/** Files in the working folder the engine writes; everything else in it stays read-only. */
const ENGINE_WRITES = new Set(['.terraform.lock.hcl', '.terraform', 'terraform.tfstate.d']);

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** What a Go or Python program needs from /etc: DNS, users, time zone, TLS roots. */
const ETC_ENTRIES = [
  'resolv.conf',
  'hosts',
  'nsswitch.conf',
  'host.conf',
  'gai.conf',
  'services',
  'protocols',
  'passwd',
  'group',
  'localtime',
  'timezone',
  'ssl',
  'ca-certificates',
  'ca-certificates.conf',
  'pki',
  'crypto-policies',
  'alternatives',
  'mime.types',
];
/** Never visible, even inside a mounted parent. */
const ALWAYS_HIDDEN = ['/etc/ssl/private'];

const depth = (p: string) => p.split(sep).filter(Boolean).length;
const under = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
const exists = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** The interpreter a tools venv runs on (pyvenv.cfg `home`), which lives outside the venv. */
function venvPrefix(tools: string): string | undefined {
  try {
    const cfg = readFileSync(join(tools, 'venv', 'pyvenv.cfg'), 'utf8');
    const home = /^home\s*=\s*(.+)$/m.exec(cfg)?.[1]?.trim();
    return home && isAbsolute(home) ? dirname(home) : undefined;
  } catch {
    return undefined;
  }
}

interface Mount {
  kind: 'ro' | 'rw' | 'hide' | 'symlink';
  path: string;
  /** symlink target, or the source of a bind when it differs from path. */
  source?: string;
  /** Part of the working folder's layered view. */
  workDir?: WorkDir;
}

/** The mounts for one command: sorted parents first, so a child mount refines its parent. */
export function planMounts(
  cmdPath: string,
  args: string[],
  env: Record<string, string>,
  mounts: SandboxMounts,
  parentEnv: NodeJS.ProcessEnv,
): Mount[] {
  const out: Mount[] = [];
  const tools = toolsDir(parentEnv);
  const ro = [tools, dirname(cmdPath), ...mounts.readOnly];
  try {
    ro.push(dirname(realpathSync(cmdPath)));
  } catch {
    // resolved later by the spawn error
  }
  const prefix = venvPrefix(tools);
  if (prefix) ro.push(prefix);
  for (const k of PATH_VALUED_KEYS) {
    const v = env[k];
    if (!v || !isAbsolute(v)) continue;
    // A federated GCP credential file points at the token file beside it: mount its folder.
    ro.push(basename(dirname(v)).startsWith('idlc-gcp-') ? dirname(v) : v);
  }
  const rw = [...mounts.readWrite];
  for (const w of mounts.readWriteWhen ?? []) (w.when(args) ? rw : ro).push(w.path);
  for (const p of ro) if (exists(p)) out.push({ kind: 'ro', path: resolve(p) });
  for (const p of rw) if (exists(p)) out.push({ kind: 'rw', path: resolve(p) });
  // Files named on the command line outside every mount (a saved plan from elsewhere, opa's
  // --data and --input); inside the run folder they are already there, and stay writable.
  for (const a of args) {
    const v = a.startsWith('-') && a.includes('=') ? a.slice(a.indexOf('=') + 1) : a;
    if (!isAbsolute(v) || v === '/' || !exists(v)) continue;
    if (!out.some((m) => under(resolve(v), m.path))) out.push({ kind: 'ro', path: resolve(v) });
  }
  // A path mounted read-write stays so even when also listed read-only; drop ro paths already
  // covered by a read-only parent (fewer mounts, same view).
  const rwSet = new Set(out.filter((m) => m.kind === 'rw').map((m) => m.path));
  const kept = out.filter((m, i) => {
    if (m.kind === 'ro' && rwSet.has(m.path)) return false;
    if (out.findIndex((o) => o.path === m.path && o.kind === m.kind) !== i) return false;
    if (m.kind !== 'ro') return true;
    const parent = out
      .filter((o) => o.path !== m.path && under(m.path, o.path))
      .sort((a, b) => depth(b.path) - depth(a.path))[0];
    return parent?.kind !== 'ro';
  });
  kept.sort((a, b) => depth(a.path) - depth(b.path));
  if (mounts.workDir) kept.push(...workDirMounts(mounts.workDir));
  for (const h of [...(mounts.hidden ?? []), ...ALWAYS_HIDDEN])
    if (exists(h)) kept.push({ kind: 'hide', path: h });
  return kept;
}

/** The working folder: the writable upper layer, then every checkout entry read-only on top. */
function workDirMounts(w: WorkDir): Mount[] {
  const m: Mount[] = [{ kind: 'rw', path: w.dir, source: w.upper, workDir: w }];
  for (const name of readdirSync(w.dir)) {
    if (ENGINE_WRITES.has(name)) continue;
    const p = join(w.dir, name);
    const st = lstatSync(p);
    // A symlink from the repository is recreated as-is: resolved inside the sandbox, never on the host.
    if (st.isSymbolicLink()) m.push({ kind: 'symlink', path: p, source: readlinkSync(p) });
    else m.push({ kind: 'ro', path: p, source: p, workDir: w });
  }
  return m;
}

function bwrapArgs(mounts: Mount[], cwd: string): string[] {
  const a = [...BWRAP_NAMESPACES];
  if (isRoot()) a.push('--cap-drop', 'ALL');
  for (const d of SYSTEM_DIRS) {
    if (!exists(d)) continue;
    const st = lstatSync(d);
    if (st.isSymbolicLink()) a.push('--symlink', readlinkSync(d), d);
    else a.push('--ro-bind', d, d);
  }
  for (const e of ETC_ENTRIES) {
    const p = join('/etc', e);
    if (!existsSync(p)) continue;
    // /etc/resolv.conf is often a symlink into /run: mount what it points at, under its own name.
    a.push('--ro-bind', realpathSync(p), p);
  }
  a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const m of mounts) {
    if (m.kind === 'ro') a.push('--ro-bind', m.source ?? m.path, m.path);
    else if (m.kind === 'rw') a.push('--bind', m.source ?? m.path, m.path);
    else if (m.kind === 'symlink') a.push('--symlink', m.source ?? '', m.path);
    else if (statSync(m.path).isDirectory()) a.push('--tmpfs', m.path, '--remount-ro', m.path);
    else a.push('--ro-bind', '/dev/null', m.path);
  }
  // The skeleton bwrap built (mount points, parents of mounted folders) is read-only too.
  a.push('--remount-ro', '/', '--chdir', cwd);
  return a;
}

/**
 * The unshare sandbox, in a private mount namespace: every mount read-only, the run's folders
 * mounted back read-write, the working folder layered as with bwrap, the runner's files and the
 * checkout's .git under empty tmpfs; then the command runs without any capability, so it cannot
 * undo any of it. Mount points missing inside a writable layer are created first. A bind mount
 * copies the flags of its source, so a read-write one is remounted read-write explicitly.
 */
const UNSHARE_SCRIPT = `set -eu
while read -r _ mp _ _ _ _; do
  case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  mount -o remount,bind,ro "$mp" 2>/dev/null || true
done < /proc/self/mounts
mount -o remount,bind,ro /
point() { [ -e "$2" ] || [ -L "$2" ] || if [ -d "$1" ]; then mkdir -p "$2"; else : > "$2"; fi; }
while [ "$1" != -- ]; do
  op="$1" src="$2" dst="$3"; shift 3
  case "$op" in
    rw) point "$src" "$dst"; mount --bind "$src" "$dst"; mount -o remount,bind,rw "$dst" ;;
    ro) point "$src" "$dst"; mount --bind "$src" "$dst"; mount -o remount,bind,ro "$dst" ;;
    symlink) [ -L "$dst" ] || ln -s "$src" "$dst" ;;
    hide) if [ -d "$dst" ]; then mount -t tmpfs -o ro,mode=0700,size=4k idlc-hidden "$dst"; else mount --bind /dev/null "$dst"; fi ;;
    tmpfs) mount -t tmpfs -o mode=1777 idlc-tmp "$dst" ;;
  esac
done
shift
cd "$IDLC_SANDBOX_CWD"
unset IDLC_SANDBOX_CWD
exec "$@"`;

function unshareArgs(mounts: Mount[], runnerFiles: string[], cmd: string[], setpriv: string): string[] {
  const ops: string[] = [];
  for (const m of mounts) {
    if (m.workDir && m.kind === 'rw') {
      // Keep the checkout's view of the folder reachable before the upper layer covers it.
      ops.push('ro', m.path, m.workDir.stash, 'rw', m.source ?? m.path, m.path);
    } else if (m.workDir && m.kind === 'ro') {
      ops.push('ro', join(m.workDir.stash, basename(m.path)), m.path);
    } else if (m.kind === 'rw') {
      ops.push('rw', m.source ?? m.path, m.path);
    } else if (m.kind === 'symlink' || m.kind === 'hide') {
      ops.push(m.kind, m.source ?? '', m.path);
    }
    // Other read-only paths: the host tree is already visible, read-only.
  }
  for (const f of runnerFiles) if (exists(f)) ops.push('hide', '', f);
  // A fresh /tmp, unless something the child needs lives under the host's (then /tmp stays
  // read-only and TMPDIR, in the run folder, is where it writes).
  if (!mounts.some((m) => m.kind !== 'hide' && under(m.path, '/tmp'))) ops.unshift('tmpfs', '', '/tmp');
  return [
    ...UNSHARE_NAMESPACES,
    '/bin/sh',
    '-c',
    UNSHARE_SCRIPT,
    'idlc-sandbox',
    ...ops,
    '--',
    setpriv,
    '--no-new-privs',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
    ...cmd,
  ];
}

/**
 * Paths the runner keeps for itself that an unshare sandbox (which starts from the host's
 * tree) must hide: the file-command folder behind GITHUB_ENV/OUTPUT/PATH/STATE, the runner's
 * own folder (its `.credentials`), credential folders in the runner's home.
 */
export function runnerFiles(parentEnv: NodeJS.ProcessEnv, ambient: boolean): string[] {
  const out = new Set<string>();
  for (const k of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_PATH', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
    const v = parentEnv[k];
    if (v && isAbsolute(v)) out.add(dirname(v));
  }
  const temp = parentEnv['RUNNER_TEMP'];
  if (temp)
    for (const d of ['_runner_file_commands', '_github_home', '_github_workflow']) out.add(join(temp, d));
  for (let d = dirname(process.execPath); d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, '.runner')) || existsSync(join(d, '.credentials'))) out.add(d);
  }
  if (!ambient) {
    const home = parentEnv['HOME'] || homedir();
    for (const d of ['.ssh', '.aws', '.config', '.docker', '.kube', '.azure', '.gnupg', '.terraform.d']) {
      out.add(join(home, d));
    }
    for (const f of ['.git-credentials', '.netrc', '.npmrc', '.pypirc', '.terraformrc'])
      out.add(join(home, f));
  }
  return [...out];
}

export interface WrappedCommand {
  cmd: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The command line that runs `cmd args` inside the chosen sandbox. The env is the child's
 * (already allow-listed): it becomes the sandbox's env too, so even its PID 1 holds nothing
 * else. It is not passed as `--setenv` arguments, which every process on the host could read
 * from /proc/<pid>/cmdline.
 */
export function wrapCommand(
  choice: SandboxChoice,
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
  mounts: SandboxMounts,
  parentEnv: NodeJS.ProcessEnv,
): WrappedCommand | undefined {
  if (choice.kind === 'none') return { cmd, args, env: opts.env };
  const cmdPath = findOnPath(cmd, opts.env['PATH']);
  if (!cmdPath) return undefined;
  const m = planMounts(cmdPath, args, opts.env, mounts, parentEnv);
  if (choice.kind === 'bwrap') {
    return { cmd: choice.program!, args: [...bwrapArgs(m, opts.cwd), '--', cmdPath, ...args], env: opts.env };
  }
  return {
    cmd: choice.program!,
    args: unshareArgs(m, mounts.runnerFiles ?? [], [cmdPath, ...args], choice.setpriv!),
    env: { ...opts.env, IDLC_SANDBOX_CWD: opts.cwd },
  };
}

const notFound = (cmd: string) =>
  Object.assign(new Error(`spawn ${cmd} ENOENT`), { code: 'ENOENT', errno: -2, syscall: 'spawn', path: cmd });

/** The ExecFn decorator: `inner` runs the sandbox program instead of the command. */
export function sandboxExec(
  inner: ExecFn,
  choice: SandboxChoice,
  mounts: (args: string[]) => SandboxMounts,
  parentEnv: NodeJS.ProcessEnv,
): ExecFn {
  if (choice.kind === 'none') return inner;
  return async (cmd, args, opts) => {
    const w = wrapCommand(choice, cmd, args, opts, mounts(args), parentEnv);
    if (!w) return { code: -1, stdout: '', stderr: '', ms: 0, spawnError: notFound(cmd) };
    return inner(w.cmd, w.args, { ...opts, env: w.env });
  };
}

export interface EngineSandboxOptions {
  mode: SandboxMode;
  parentEnv: NodeJS.ProcessEnv;
  /** The checkout (stack and modules): read-only. */
  root: string;
  /** The engine's working folder (the stack). */
  cwd: string;
  /** The run's own folder: read-write, removed when the run ends. */
  runDir: string;
  pluginCacheDir?: string;
}

export interface EngineSandbox {
  choice: SandboxChoice;
  /** The warning to surface, the first time in this process only. */
  warning?: string;
  /** Decorate `inner` for a session: `ambient` (laptop credentials) mounts the user's cloud config. */
  exec(inner: ExecFn, session: { ambient: boolean }): ExecFn;
}

/**
 * The sandbox for one stack run: mode, probe, the run's HOME/TMPDIR folders and the mounts.
 * Throws (UsageError) when the mode requires a sandbox that is missing.
 */
export async function prepareEngineSandbox(o: EngineSandboxOptions): Promise<EngineSandbox> {
  const choice =
    o.mode === 'off' ? chooseSandbox('off', {}) : chooseSandbox(o.mode, await probeSandbox(o.parentEnv));
  const home = runHome(o.runDir);
  await mkdir(home, { recursive: true });
  await mkdir(runTmp(o.runDir), { recursive: true });
  const workDir: WorkDir = {
    dir: o.cwd,
    upper: join(o.runDir, 'workdir'),
    stash: join(o.runDir, 'checkout-view'),
  };
  await mkdir(workDir.upper, { recursive: true });
  await mkdir(workDir.stash, { recursive: true });
  const lock = join(o.cwd, '.terraform.lock.hcl');
  if (existsSync(lock)) await copyFile(lock, join(workDir.upper, '.terraform.lock.hcl'));
  const realHome = o.parentEnv['HOME'] || homedir();
  let linked = false;
  const hidden = [join(o.root, '.git')];
  const base = {
    readWrite: [o.runDir],
    hidden,
    // Only init writes the provider cache; plan and apply (which run providers) see it read-only.
    readWriteWhen: o.pluginCacheDir
      ? [{ path: o.pluginCacheDir, when: (a: string[]) => a[0] === 'init' }]
      : [],
  };
  return {
    choice,
    warning: warnOnce(choice),
    exec(inner, session) {
      const ambientDirs = session.ambient
        ? ['.aws', '.config/gcloud', '.azure', '.terraform.d']
            .map((d) => join(realHome, d))
            .filter(existsSync)
        : [];
      return sandboxExec(
        async (cmd, args, opts) => {
          // The user's own cloud config stays reachable from the private HOME (laptop only).
          if (session.ambient && !linked) {
            linked = true;
            for (const d of ambientDirs) {
              const link = join(home, d.slice(realHome.length + 1));
              await mkdir(dirname(link), { recursive: true });
              await symlink(d, link).catch(() => undefined);
            }
          }
          return inner(cmd, args, opts);
        },
        choice,
        () => ({
          ...base,
          readOnly: [o.root, ...ambientDirs],
          // The SSO token cache is refreshed in place.
          readWrite: [
            ...base.readWrite,
            ...ambientDirs.filter((d) => d.endsWith('.aws')).map((d) => join(d, 'sso', 'cache')),
          ],
          workDir: choice.kind === 'none' ? undefined : workDir,
          runnerFiles: runnerFiles(o.parentEnv, session.ambient),
        }),
        o.parentEnv,
      );
    },
  };
}

/**
 * opa and checkov read untrusted input too (the plan JSON, the PR's Terraform): they run in the
 * same sandbox, with an allow-listed env, the folder they read (`cwd`) and the files named on
 * their command line read-only, and `scratch` (their HOME and TMPDIR) read-write.
 */
export async function sandboxToolCommand(
  cmd: string,
  args: string[],
  o: { cwd: string; parentEnv: NodeJS.ProcessEnv; scratch: string; extraEnv?: Record<string, string> },
): Promise<WrappedCommand | undefined> {
  const mode = sandboxModeFrom(o.parentEnv);
  const choice =
    mode === 'off' ? chooseSandbox('off', {}) : chooseSandbox(mode, await probeSandbox(o.parentEnv));
  const env = {
    ...inheritedBaseEnv(o.parentEnv),
    PATH: toolPath(o.parentEnv),
    HOME: o.scratch,
    TMPDIR: o.scratch,
    ...o.extraEnv,
  };
  const gitDir = join(o.cwd, '.git');
  return wrapCommand(
    choice,
    cmd,
    args,
    { cwd: o.cwd, env },
    {
      readOnly: [o.cwd],
      readWrite: [o.scratch],
      hidden: [gitDir],
      runnerFiles: runnerFiles(o.parentEnv, false),
    },
    o.parentEnv,
  );
}
