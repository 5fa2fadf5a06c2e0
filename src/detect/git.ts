import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from '../util/errors.ts';

const exec = promisify(execFile);

/** Runs git in a repository; injected so callers can be tested against real temp repos. */
export type Git = (args: string[]) => Promise<string>;

export function gitIn(cwd: string): Git {
  return async (args) => {
    const { stdout } = await exec('git', args, { cwd, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  };
}

export const ZERO_SHA = /^0{40}$/;

export async function hasCommit(git: Git, ref: string): Promise<boolean> {
  try {
    await git(['cat-file', '-e', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

export async function resolveCommit(git: Git, ref: string): Promise<string> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch {
    throw new UsageError(
      `unknown git ref "${ref}"`,
      'pass a commit sha, branch or tag that exists in this clone (git fetch it first)',
    );
  }
}

/**
 * Make sure `sha` is present. Shallow clones (actions/checkout's default fetch-depth: 1) lack
 * the base commit; fetch it by sha, else deepen, else say exactly what to configure.
 */
export async function ensureCommit(git: Git, sha: string, what: string): Promise<void> {
  if (await hasCommit(git, sha)) return;
  const attempts: string[][] = [
    ['fetch', '--no-tags', '--quiet', '--depth=1', 'origin', sha],
    ['fetch', '--no-tags', '--quiet', '--deepen=200', 'origin'],
    ['fetch', '--no-tags', '--quiet', '--unshallow', 'origin'],
  ];
  for (const args of attempts) {
    try {
      await git(args);
    } catch {
      // try the next way
    }
    if (await hasCommit(git, sha)) return;
  }
  throw new UsageError(
    `the ${what} commit ${sha} is not in this clone and could not be fetched`,
    'check out with full history: actions/checkout with `fetch-depth: 0` (a shallow clone cannot see the base of the change)',
  );
}

export type ChangeStatus = 'A' | 'M' | 'D' | 'R' | 'T';

export interface FileChange {
  status: ChangeStatus;
  path: string;
  /** For renames: where the file was before. */
  from?: string;
}

/** Parse `git diff --name-status -z -M` output (NUL separated, safe for spaces and newlines). */
export function parseNameStatus(out: string): FileChange[] {
  const parts = out.split('\0');
  const changes: FileChange[] = [];
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++];
    if (!code) continue;
    const kind = code[0] as string;
    if (kind === 'R' || kind === 'C') {
      const from = parts[i++] as string;
      const to = parts[i++] as string;
      if (kind === 'R') changes.push({ status: 'R', path: to, from });
      else changes.push({ status: 'A', path: to });
    } else {
      const path = parts[i++] as string;
      const status = (kind === 'U' || kind === 'X' ? 'M' : kind) as ChangeStatus;
      changes.push({ status, path });
    }
  }
  return changes;
}

/** Files changed between two commits (two-dot: exactly what differs between the trees). */
export async function diffFiles(git: Git, base: string, head: string): Promise<FileChange[]> {
  const out = await git(['diff', '--name-status', '-z', '-M', '-l0', base, head]);
  return parseNameStatus(out);
}

/** Every file in a commit (first push of a branch with no merge base; schedule runs). */
export async function allFiles(git: Git, head: string): Promise<FileChange[]> {
  const out = await git(['ls-tree', '-r', '-z', '--name-only', head]);
  return out
    .split('\0')
    .filter(Boolean)
    .map((path) => ({ status: 'A' as const, path }));
}

export async function mergeBase(git: Git, a: string, b: string): Promise<string | undefined> {
  try {
    return (await git(['merge-base', a, b])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function isAncestor(git: Git, a: string, b: string): Promise<boolean> {
  try {
    await git(['merge-base', '--is-ancestor', a, b]);
    return true;
  } catch {
    return false;
  }
}

/** File content at a commit, or undefined if it does not exist there. */
export async function showFile(git: Git, commit: string, path: string): Promise<string | undefined> {
  try {
    return await git(['show', `${commit}:${path}`]);
  } catch {
    return undefined;
  }
}

/** Tracked .tf/.tofu files of the checked-out tree, in one git call. */
export async function trackedHclFiles(git: Git): Promise<string[]> {
  const out = await git(['ls-files', '-z', '--', '*.tf', '*.tofu']);
  return out.split('\0').filter(Boolean);
}
