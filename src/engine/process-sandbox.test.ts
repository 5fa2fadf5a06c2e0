import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.ts';
import {
  chooseSandbox,
  prepareEngineSandbox,
  probeSandbox,
  type SandboxMounts,
  sandboxModeFrom,
  wrapCommand,
} from './process-sandbox.ts';
import { spawnExec } from './runner.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'idlc-sandbox-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A host with neither bwrap nor unshare/setpriv on PATH, and an empty tools folder. */
const bare = () => ({ PATH: join(work, 'no-bin'), IDLC_TOOLS_DIR: join(work, 'no-tools'), HOME: work });

describe('IDLC_ENGINE_SANDBOX', () => {
  it('defaults to auto and refuses a value it does not know', () => {
    expect(sandboxModeFrom({})).toBe('auto');
    expect(sandboxModeFrom({ IDLC_ENGINE_SANDBOX: ' required ' })).toBe('required');
    expect(() => sandboxModeFrom({ IDLC_ENGINE_SANDBOX: 'yes' })).toThrow(
      'IDLC_ENGINE_SANDBOX=yes is not a sandbox mode\n  fix: set IDLC_ENGINE_SANDBOX to required (CI), auto (default) or off',
    );
  });
});

describe('required mode without any sandbox', () => {
  it('refuses before anything runs, naming the fix', async () => {
    const env = { ...bare(), IDLC_ENGINE_SANDBOX: 'required' };
    const probe = await probeSandbox(env);
    expect(probe.bwrap).toBeUndefined();
    expect(probe.unshare).toBeUndefined();
    expect(probe.bwrapProblem).toBe('bwrap is not installed');
    const runDir = join(work, 'run-required');
    await mkdir(runDir);
    const err = await prepareEngineSandbox({
      mode: sandboxModeFrom(env),
      parentEnv: env,
      root: work,
      cwd: work,
      runDir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(
      /^IDLC_ENGINE_SANDBOX=required: no process sandbox is available here \(bwrap: bwrap is not installed; unshare: .+\), so the engine will not run: the Terraform it plans could read the runner tokens and write GITHUB_ENV/,
    );
    expect((err as UsageError).fix).toBe(
      'install bubblewrap: `scripts/install-tools --only bubblewrap` (Debian), or `sudo apt-get install -y bubblewrap`; ' +
        'or, on a laptop only, IDLC_ENGINE_SANDBOX=auto',
    );
  });

  it('names the AppArmor fix when bwrap exists but may not create namespaces (Ubuntu 24.04)', () => {
    const probe = {
      bwrapProblem: '/usr/bin/bwrap: bwrap: setting up uid map: Permission denied',
      unshareProblem: 'needs root (this process is not uid 0)',
    };
    let err: UsageError | undefined;
    try {
      chooseSandbox('required', probe);
    } catch (e) {
      err = e as UsageError;
    }
    expect(err?.fix).toContain('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
  });

  it('auto runs unsandboxed with one warning per process; off says it is off', () => {
    const probe = {
      bwrapProblem: 'bwrap is not installed',
      unshareProblem: 'needs root (this process is not uid 0)',
    };
    const auto = chooseSandbox('auto', probe);
    expect(auto.kind).toBe('none');
    expect(auto.warning).toBe(
      'no process sandbox is available (bwrap: bwrap is not installed), so the engine runs with access to ' +
        "this process's environment and files. Fix: install bubblewrap: `scripts/install-tools --only bubblewrap` " +
        '(Debian), or `sudo apt-get install -y bubblewrap`',
    );
    expect(chooseSandbox('off', {}).kind).toBe('none');
    expect(() => chooseSandbox('bwrap', probe)).toThrow(
      /IDLC_ENGINE_SANDBOX=bwrap: bubblewrap is not available/,
    );
  });
});

describe('the bwrap command line', () => {
  it('mounts the checkout read-only, the run folder read-write, the provider cache writable for init only, and hides .git', async () => {
    const root = join(work, 'repo');
    const stack = join(root, 'stacks', 'dev');
    const runDir = join(work, 'run');
    const cache = join(work, 'cache');
    for (const d of [
      stack,
      join(root, '.git'),
      runDir,
      cache,
      join(runDir, 'workdir'),
      join(runDir, 'checkout-view'),
    ])
      await mkdir(d, { recursive: true });
    await writeFile(join(stack, 'main.tf'), '');
    const choice = { kind: 'bwrap' as const, program: '/usr/bin/bwrap', detail: '' };
    const mounts = (): SandboxMounts => ({
      readOnly: [root],
      readWrite: [runDir],
      readWriteWhen: [{ path: cache, when: (a) => a[0] === 'init' }],
      hidden: [join(root, '.git')],
      workDir: { dir: stack, upper: join(runDir, 'workdir'), stash: join(runDir, 'checkout-view') },
      runnerFiles: [],
    });
    const env = { PATH: '/usr/bin:/bin', HOME: join(runDir, 'home') };
    const line = (args: string[]) => {
      const w = wrapCommand(choice, 'sh', args, { cwd: stack, env }, mounts(), {
        IDLC_TOOLS_DIR: '/opt/t',
      });
      return w!.args.join(' ');
    };
    const plan = line(['plan']);
    expect(plan).toContain(
      '--unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try --die-with-parent --new-session',
    );
    expect(plan).toContain('--proc /proc --dev /dev --tmpfs /tmp');
    expect(plan).toContain(`--ro-bind ${root} ${root}`);
    expect(plan).toContain(`--bind ${runDir} ${runDir}`);
    expect(plan).toContain(`--ro-bind ${cache} ${cache}`);
    expect(plan).toContain(
      `--bind ${join(runDir, 'workdir')} ${stack} --ro-bind ${join(stack, 'main.tf')} ${join(stack, 'main.tf')}`,
    );
    expect(plan).toContain(`--tmpfs ${join(root, '.git')}`);
    expect(plan).toMatch(/ -- \/usr\/bin\/sh plan$/);
    expect(line(['init'])).toContain(`--bind ${cache} ${cache}`);
    // The env is the child's own: never passed as --setenv (readable in /proc/<pid>/cmdline).
    expect(plan).not.toContain('--setenv');
  });

  it('reports a command that is not on PATH as not found', () => {
    const choice = { kind: 'bwrap' as const, program: '/usr/bin/bwrap', detail: '' };
    expect(
      wrapCommand(
        choice,
        'no-such-tool',
        [],
        { cwd: work, env: { PATH: '/usr/bin' } },
        { readOnly: [], readWrite: [] },
        {},
      ),
    ).toBeUndefined();
  });
});

describe('credential files and the laptop', () => {
  it('mounts a federated GCP credential folder (file + token) read-only, a laptop key file alone', async () => {
    const choice = { kind: 'bwrap' as const, program: '/usr/bin/bwrap', detail: '' };
    const gcp = join(work, 'idlc-gcp-abc');
    await mkdir(gcp, { recursive: true });
    await writeFile(join(gcp, 'external-account.json'), '{}');
    await writeFile(join(work, 'key.json'), '{}');
    const line = (credentials: string) =>
      wrapCommand(
        choice,
        'sh',
        [],
        { cwd: work, env: { PATH: '/usr/bin:/bin', GOOGLE_APPLICATION_CREDENTIALS: credentials } },
        { readOnly: [], readWrite: [] },
        { IDLC_TOOLS_DIR: '/opt/t' },
      )?.args.join(' ');
    expect(line(join(gcp, 'external-account.json'))).toContain(`--ro-bind ${gcp} ${gcp}`);
    const key = join(work, 'key.json');
    expect(line(key)).toContain(`--ro-bind ${key} ${key}`);
  });

  it('laptop (ambient credentials): ~/.aws is reachable from the private HOME inside bwrap', async (ctx) => {
    if (!(await probeSandbox(process.env)).bwrap) ctx.skip();
    const realHome = join(work, 'laptop-home');
    await mkdir(join(realHome, '.aws'), { recursive: true });
    await writeFile(join(realHome, '.aws', 'config'), '[profile dev]\nregion = eu-west-1\n');
    await writeFile(join(realHome, 'diary.txt'), 'private');
    const root = join(work, 'laptop-repo');
    await mkdir(root, { recursive: true });
    const runDir = join(work, 'laptop-run');
    await mkdir(runDir);
    const parentEnv = { ...process.env, HOME: realHome };
    const sb = await prepareEngineSandbox({ mode: 'bwrap', parentEnv, root, cwd: root, runDir });
    const exec = sb.exec(spawnExec, { ambient: true });
    const env = { PATH: '/usr/bin:/bin', HOME: join(runDir, 'home') };
    const r = await exec('sh', ['-c', 'cat "$HOME/.aws/config"; cat ' + join(realHome, 'diary.txt')], {
      cwd: root,
      env,
    });
    expect(r.stdout).toBe('[profile dev]\nregion = eu-west-1\n');
    expect(r.stderr).toContain('No such file or directory');
  });
});
