/**
 * The sandbox's "GitHub repository" on disk: a bare repository (what the git server serves and
 * act's checkouts fetch from) with the refs GitHub has — branches, refs/pull/<n>/head and the
 * test merge refs/pull/<n>/merge — plus a working clone the harness commits in. Commits made
 * through the GitHub double's API (gitops commits, promotions) are written here too, so one
 * history is seen by git clients and by the API alike.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SANDBOX_GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Mona Lisa',
  GIT_AUTHOR_EMAIL: 'mona@example.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

export class SandboxGit {
  /** The bare repository (refs as on GitHub). */
  readonly bare: string;
  /** The harness's working clone. */
  readonly work: string;

  constructor(
    readonly dir: string,
    readonly fullName: string,
    readonly defaultBranch = 'main',
  ) {
    this.bare = join(dir, 'git', `${fullName}.git`);
    this.work = join(dir, 'work');
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'],
      HOME: this.dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      ...SANDBOX_GIT_IDENTITY,
      ...extra,
    };
  }

  async git(cwd: string, args: string[], extra: Record<string, string> = {}): Promise<string> {
    try {
      const { stdout } = await run('git', args, { cwd, env: this.env(extra), maxBuffer: 256 * 1024 * 1024 });
      return stdout.trim();
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`git ${args.join(' ')} (in ${cwd}): ${e.stderr?.trim() || e.message}`);
    }
  }

  gitSync(args: string[], opts: { input?: string | Buffer; extra?: Record<string, string> } = {}): string {
    return execFileSync('git', ['--git-dir', this.bare, ...args], {
      env: this.env(opts.extra),
      input: opts.input,
      maxBuffer: 256 * 1024 * 1024,
    })
      .toString('utf8')
      .trim();
  }

  /** A bare repository whose first commit holds `files`, and the working clone. */
  async init(files: Map<string, Buffer>, message: string): Promise<string> {
    await mkdir(this.bare, { recursive: true });
    await this.git(this.bare, ['init', '--bare', '-q', '-b', this.defaultBranch]);
    // fetching a commit by sha (actions/checkout does) works on GitHub for reachable commits
    await this.git(this.bare, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
    await this.git(this.bare, ['config', 'http.receivepack', 'false']);
    await mkdir(this.work, { recursive: true });
    await this.git(this.work, ['init', '-q', '-b', this.defaultBranch]);
    await this.git(this.work, ['remote', 'add', 'origin', this.bare]);
    await this.writeTree(files);
    await this.git(this.work, ['add', '-A']);
    await this.git(this.work, ['commit', '-q', '-m', message]);
    await this.git(this.work, ['push', '-q', 'origin', `HEAD:refs/heads/${this.defaultBranch}`]);
    return await this.rev(`refs/heads/${this.defaultBranch}`);
  }

  private async writeTree(files: Map<string, Buffer>): Promise<void> {
    for (const [rel, bytes] of files) {
      await mkdir(dirname(join(this.work, rel)), { recursive: true });
      await writeFile(join(this.work, rel), bytes);
    }
  }

  async rev(ref: string): Promise<string> {
    return await this.git(this.bare, ['rev-parse', '--verify', `${ref}^{commit}`]);
  }

  async refExists(ref: string): Promise<boolean> {
    try {
      await this.rev(ref);
      return true;
    } catch {
      return false;
    }
  }

  async updateRef(ref: string, sha: string): Promise<void> {
    await this.git(this.bare, ['update-ref', ref, sha]);
  }

  /**
   * A commit on `branch` (created from `from` when new) with these changes, pushed. `null`
   * deletes a file. Returns the new head.
   */
  async commit(o: {
    branch: string;
    from?: string;
    message: string;
    changes: Record<string, string | null>;
    author?: { name: string; email: string };
  }): Promise<string> {
    const start = (await this.refExists(`refs/heads/${o.branch}`))
      ? `refs/heads/${o.branch}`
      : (o.from ?? `refs/heads/${this.defaultBranch}`);
    await this.git(this.work, ['fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*']);
    const startSha = await this.rev(start);
    await this.git(this.work, ['checkout', '-q', '--detach', startSha]);
    await this.git(this.work, ['reset', '-q', '--hard', startSha]);
    for (const [rel, content] of Object.entries(o.changes)) {
      if (content === null) await rm(join(this.work, rel), { force: true });
      else {
        await mkdir(dirname(join(this.work, rel)), { recursive: true });
        await writeFile(join(this.work, rel), content);
      }
    }
    await this.git(this.work, ['add', '-A']);
    const extra: Record<string, string> = o.author
      ? { GIT_AUTHOR_NAME: o.author.name, GIT_AUTHOR_EMAIL: o.author.email }
      : {};
    await this.git(this.work, ['commit', '-q', '--allow-empty', '-m', o.message], extra);
    await this.git(this.work, ['push', '-q', '-f', 'origin', `HEAD:refs/heads/${o.branch}`]);
    return await this.rev(`refs/heads/${o.branch}`);
  }

  /** A merge commit of `head` into `base` (--no-ff), without moving any ref. */
  async mergeCommit(base: string, head: string, message: string): Promise<string> {
    const tmp = await mkdtemp(join(this.dir, 'merge-'));
    try {
      await this.git(this.bare, ['worktree', 'add', '-q', '--detach', tmp, base]);
      try {
        await this.git(tmp, ['merge', '-q', '--no-ff', '--no-edit', '-m', message, head]);
      } catch (err) {
        throw new Error(
          `the change does not merge cleanly into ${base.slice(0, 12)}: ${(err as Error).message}`,
        );
      }
      return await this.git(tmp, ['rev-parse', 'HEAD']);
    } finally {
      await this.git(this.bare, ['worktree', 'remove', '--force', tmp]).catch(() => undefined);
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** A detached checkout of `sha` (act's working directory: workflow files, GITHUB_SHA). */
  async checkout(sha: string, dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true });
    await this.git(this.bare, ['worktree', 'add', '-q', '--detach', dir, sha]);
  }

  async removeCheckout(dir: string): Promise<void> {
    await this.git(this.bare, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }

  /** Every file of a commit (path → bytes). */
  async tree(sha: string): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const entries = await this.treeEntries(sha);
    const blobs = this.readBlobs(entries.map((e) => e.object));
    for (const e of entries) out.set(e.path, blobs.get(e.object) as Buffer);
    return out;
  }

  /** The blobs of a commit: path → object id. */
  async treeEntries(sha: string): Promise<{ path: string; object: string }[]> {
    const list = await this.git(this.bare, ['ls-tree', '-r', '-z', '--full-tree', sha]);
    return list
      .split('\0')
      .filter(Boolean)
      .map((e) => {
        const [meta = '', path = ''] = e.split('\t');
        const [, type, object] = meta.split(' ');
        return { type, object: object ?? '', path };
      })
      .filter((e) => e.type === 'blob')
      .map(({ path, object }) => ({ path, object }));
  }

  /** Blob contents by object id (one `git cat-file --batch`). */
  readBlobs(objects: string[]): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const wanted = [...new Set(objects)];
    if (wanted.length === 0) return out;
    const batch = execFileSync('git', ['--git-dir', this.bare, 'cat-file', '--batch'], {
      input: `${wanted.join('\n')}\n`,
      maxBuffer: 512 * 1024 * 1024,
      env: this.env(),
    });
    let at = 0;
    for (const object of wanted) {
      const nl = batch.indexOf(10, at);
      const size = Number(batch.subarray(at, nl).toString('utf8').split(' ')[2]);
      out.set(object, batch.subarray(nl + 1, nl + 1 + size));
      at = nl + 1 + size + 1;
    }
    return out;
  }

  async commitInfo(sha: string): Promise<{ message: string; parents: string[]; date: string }> {
    const raw = await this.git(this.bare, ['show', '-s', '--format=%P%x00%cI%x00%B', sha]);
    const [parents = '', date = '', message = ''] = raw.split('\0');
    return {
      parents: parents.split(' ').filter(Boolean),
      date: new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      message: message.trim(),
    };
  }

  /**
   * A commit made through the API (createCommitOnBranch): the parent's tree with these
   * additions and deletions, written synchronously (the double's handlers are synchronous).
   */
  commitFromApi(o: {
    parent: string;
    message: string;
    additions: Record<string, string>;
    deletions: string[];
    date: string;
  }): string {
    const index = join(this.dir, `api-index-${process.pid}`);
    const extra = {
      GIT_INDEX_FILE: index,
      GIT_AUTHOR_DATE: o.date,
      GIT_COMMITTER_DATE: o.date,
      GIT_AUTHOR_NAME: 'github-actions[bot]',
      GIT_AUTHOR_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
    };
    this.gitSync(['read-tree', o.parent], { extra });
    for (const [path, content] of Object.entries(o.additions)) {
      const blob = this.gitSync(['hash-object', '-w', '--stdin'], { input: content, extra });
      this.gitSync(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { extra });
    }
    for (const path of o.deletions) this.gitSync(['update-index', '--force-remove', path], { extra });
    const tree = this.gitSync(['write-tree'], { extra });
    const sha = this.gitSync(['commit-tree', tree, '-p', o.parent, '-F', '-'], { input: o.message, extra });
    execFileSync('rm', ['-f', index]);
    return sha;
  }
}
