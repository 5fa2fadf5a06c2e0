import { realpathSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { UsageError } from '../util/errors.ts';
import { folderOf, repoRelative } from './paths.ts';
import type { Stack } from './stacks.ts';

/**
 * Which stack an id, a folder or a file belongs to, over the stacks `discoverStacks` found.
 * Folders and files are matched lexically first, then with symlinks resolved (a repository
 * reached through a symlinked path, or a link inside it pointing at a stack folder).
 */
export class StackLocator {
  private readonly ids: Map<string, Stack>;
  private readonly dirs: Map<string, Stack>;

  constructor(readonly stacks: readonly Stack[]) {
    this.ids = new Map(stacks.map((s) => [s.id, s]));
    this.dirs = new Map(stacks.map((s) => [s.dir, s]));
  }

  byId(id: string): Stack | undefined {
    return this.ids.get(id);
  }

  /** The stack whose folder is `dir` (repository-relative). */
  byDir(dir: string): Stack | undefined {
    return this.dirs.get(posix.normalize(dir).replace(/\/$/, ''));
  }

  /** The stack holding a repository-relative file: the deepest stack folder above it. */
  ofFile(file: string): Stack | undefined {
    for (let dir = folderOf(file); dir !== ''; dir = folderOf(dir)) {
      const s = this.dirs.get(dir);
      if (s) return s;
    }
    return undefined;
  }

  /** A stack by id, or by folder: relative to `cwd`, else as written relative to the root. */
  named(value: string, at: { root: string; cwd: string }): Stack | undefined {
    const byId = this.byId(value);
    if (byId) return byId;
    const abs = resolve(at.cwd, value);
    const lexical = repoRelative(at.root, abs);
    const found =
      (lexical === undefined ? undefined : this.byDir(lexical)) ??
      this.byDir(value) ??
      this.resolved(at.root, abs, (rel) => this.byDir(rel));
    return found;
  }

  /** The stack holding the file at an absolute path; none outside the root. */
  holding(root: string, absFile: string): Stack | undefined {
    const rel = repoRelative(root, absFile);
    return (
      (rel === undefined ? undefined : this.ofFile(rel)) ??
      this.resolved(root, absFile, (r) => this.ofFile(r))
    );
  }

  private resolved(root: string, abs: string, find: (rel: string) => Stack | undefined): Stack | undefined {
    const realRoot = realPath(root);
    const realAbs = realPath(abs);
    if (!realRoot || !realAbs) return undefined;
    const rel = repoRelative(realRoot, realAbs);
    return rel === undefined ? undefined : find(rel);
  }
}

/** `abs` with symlinks resolved in its longest existing prefix (a plan file may not exist yet). */
function realPath(abs: string): string | undefined {
  const rest: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    try {
      return join(realpathSync(p), ...rest);
    } catch {
      if (dirname(p) === p) return undefined;
      rest.unshift(basename(p));
    }
  }
}

/**
 * A stack named on the command line (id or folder), or a usage error that lists some ids.
 * `option` names the flag the value came with (`--stack`), if any.
 */
export function findStack(
  stacks: readonly Stack[],
  value: string,
  at: { root: string; cwd: string; option?: string },
): Stack {
  const found = new StackLocator(stacks).named(value, at);
  if (found) return found;
  throw new UsageError(
    `${at.option ? `${at.option} ${value}` : `"${value}"`} is neither a stack id nor a stack folder`,
    `use one of: ${stacks
      .slice(0, 8)
      .map((s) => s.id)
      .join(', ')}${stacks.length > 8 ? ', …' : ''} (idlc stacks lists them all)`,
  );
}
