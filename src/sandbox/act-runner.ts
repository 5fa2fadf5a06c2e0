/**
 * One workflow run under nektos/act, self-hosted (steps run as host processes), offline:
 * marketplace actions mapped to the stand-ins, the reusable workflows of the default branch
 * read from a checkout of it, and only the environment a GitHub-hosted job would have (act
 * copies its own process environment into every step, so it starts with a clean one).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface ActRun {
  act: string;
  /** Folder whose `node` act runs JavaScript actions with (Node 24). */
  nodeDir: string;
  /** Checkout of the event's commit: act reads the workflow file and GITHUB_SHA from it. */
  workdir: string;
  workflowFile: string;
  event: string;
  eventPath: string;
  /** `owner/repo@ref` → folder (stand-ins, the default branch for reusable workflows). */
  localRepositories: Record<string, string>;
  /** Job environment (`--env`). */
  env: Record<string, string>;
  /** The token every job gets as github.token. */
  token: string;
  actor: string;
  defaultBranch: string;
  /** Private folder: act's HOME and config. */
  home: string;
  /**
   * act's action cache, where each job gets its workspace and RUNNER_TEMP. Keep its path short:
   * a provider's plugin socket lives several folders below RUNNER_TEMP, and a Unix socket path
   * longer than 107 bytes cannot be bound (the provider then exits without a word).
   */
  cacheDir: string;
  logFile: string;
  /** PATH entries before the system's (tools). */
  path: string[];
  onLine?: (line: string) => void;
}

export interface ActResult {
  code: number;
  ms: number;
  jobs: { name: string; result: 'success' | 'failure' | 'skipped' }[];
}

/** `[workflow/job] message`: the job part of an act log line. */
const JOB_LINE = /^\[([^\]]+)\]\s+(.*)$/;

export async function runAct(o: ActRun): Promise<ActResult> {
  const empty = join(o.home, 'empty');
  await mkdir(o.home, { recursive: true });
  await writeFile(empty, '');
  // act reads ~/.actrc and ./.actrc; ours pins the platform, and act runs from o.home (never
  // the checkout, where a pull request could add an .actrc, .env or .secrets file)
  await writeFile(join(o.home, '.actrc'), '-P ubuntu-latest=-self-hosted\n');
  await mkdir(dirname(o.logFile), { recursive: true });
  const args = [
    o.event,
    '-W',
    o.workflowFile,
    '-e',
    o.eventPath,
    '-C',
    o.workdir,
    '-P',
    'ubuntu-latest=-self-hosted',
    '--no-skip-checkout',
    '--action-offline-mode',
    '--no-cache-server',
    '--action-cache-path',
    o.cacheDir,
    '--actor',
    o.actor,
    '--defaultbranch',
    o.defaultBranch,
    '--env-file',
    empty,
    '--secret-file',
    empty,
    '--var-file',
    empty,
    '--input-file',
    empty,
    '-s',
    `GITHUB_TOKEN=${o.token}`,
  ];
  for (const [repo, dir] of Object.entries(o.localRepositories))
    args.push('--local-repository', `${repo}=${dir}`);
  for (const [k, v] of Object.entries(o.env)) args.push('--env', `${k}=${v}`);

  const log = createWriteStream(o.logFile, { flags: 'a' });
  const started = Date.now();
  const jobs = new Map<string, ActResult['jobs'][number]>();
  const child = spawn(o.act, args, {
    cwd: o.home,
    env: {
      PATH: [o.nodeDir, ...o.path, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: o.home,
      XDG_CONFIG_HOME: join(o.home, '.config'),
      XDG_CACHE_HOME: join(o.home, '.cache'),
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      // act itself: no update check, no colour codes in the log
      ACT_DISABLE_VERSION_CHECK: '1',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (prefix: string) => {
    let partial = '';
    return (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        log.write(`${prefix}${line}\n`);
        const m = JOB_LINE.exec(line);
        if (m) {
          const [, job = '', msg = ''] = m;
          if (msg.includes('🏁  Job succeeded')) jobs.set(job, { name: job, result: 'success' });
          else if (msg.includes('🏁  Job failed')) jobs.set(job, { name: job, result: 'failure' });
        }
        o.onLine?.(line);
      }
    };
  };
  child.stdout.on('data', onData(''));
  child.stderr.on('data', onData(''));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', (e) =>
      reject(new Error(`cannot start act (${e.message}); run scripts/install-tools --only act`)),
    );
    child.once('close', (c) => resolve(c ?? 1));
  });
  await new Promise<void>((resolve) => log.end(resolve));
  return { code, ms: Date.now() - started, jobs: [...jobs.values()] };
}
