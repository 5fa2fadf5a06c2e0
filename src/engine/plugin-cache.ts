import { createHash } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../util/errors.ts';

/**
 * Sharing TF_PLUGIN_CACHE_DIR between concurrent `init`s.
 *
 * The known failure (Atlantis #2242, hashicorp/terraform#31964 and #32915): two inits install
 * the same provider into the shared cache at once; one rewrites the binary while the other has
 * it open or executing, and init fails with "text file busy" (ETXTBSY) or a checksum mismatch.
 * OpenTofu ≥ 1.10 locks its cache itself, Terraform does not, and both engines are supported.
 *
 * Decision: serialise `init` per cache directory with an exclusive lock file, rather than give
 * each init its own cache and populate a shared one atomically. Reasons: (1) it works the same
 * for both engines and every version, because the engine still owns the cache layout; (2) the
 * cost is small: with the cache warm an init takes well under a second, and plan/apply (the long
 * part) run in parallel, unserialised; (3) a private cache per init would copy every provider
 * (the AWS provider is ~700 MB unpacked) per stack, which is what the cache exists to avoid.
 * The lock only covers `init`, the one command that writes the cache. A plan executing a cached
 * binary while another stack's init runs is safe as long as init does not *re-extract* an entry
 * it already has, which the engines skip when the stack's .terraform.lock.hcl is committed
 * (the lock file is part of the plan provenance anyway).
 *
 * The lock file is created with O_EXCL and holds {pid, host, created}. A holder that died
 * (same host, pid gone) or a lock older than `staleMs` is taken over, so a killed job never
 * wedges the next one on a self-hosted runner.
 */

export const CACHE_LOCK_FILE = '.idlc-init.lock';

interface Holder {
  pid: number;
  host: string;
  created: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

export interface CacheLockOptions {
  timeoutMs?: number;
  pollMs?: number;
  staleMs?: number;
  /** Called once when the lock is busy (to tell the log why init waits). */
  onWait?: (holder: Holder | undefined) => void;
}

/** Run `fn` while holding the init lock of `cacheDir`. */
export async function withPluginCacheLock<T>(
  cacheDir: string,
  fn: () => Promise<T>,
  opts: CacheLockOptions = {},
): Promise<T> {
  const path = join(cacheDir, CACHE_LOCK_FILE);
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  const pollMs = opts.pollMs ?? 50;
  const staleMs = opts.staleMs ?? 30 * 60_000;
  const until = Date.now() + timeoutMs;
  const me: Holder = { pid: process.pid, host: hostname(), created: new Date().toISOString() };
  let told = false;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o644);
      try {
        await fh.writeFile(JSON.stringify(me));
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(path);
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    const dead = holder && holder.host === me.host && holder.pid !== me.pid && !alive(holder.pid);
    // A holder that has not written its record yet is young; only an old unreadable file is stale.
    if (dead || age > staleMs) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > until) {
      throw new UsageError(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the provider cache lock ${path}` +
          (holder ? ` (held by pid ${holder.pid} on ${holder.host} since ${holder.created})` : ''),
        'another init is stuck; stop it or delete the lock file if no engine is running',
      );
    }
    if (!told) {
      opts.onWait?.(holder);
      told = true;
    }
    await new Promise((r) => setTimeout(r, pollMs + Math.random() * pollMs));
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * @actions/cache key for the provider cache: engine + version + OS/arch + the lock files of the
 * stacks this job runs. Same lock files → exact hit; otherwise the newest cache of the same
 * engine version seeds the run (restore key) and init adds what is missing.
 */
export async function pluginCacheKey(opts: {
  root: string;
  stackDirs: string[];
  engine: { name: string; version: string };
  platform?: string;
  arch?: string;
}): Promise<{ key: string; restoreKeys: string[] }> {
  const prefix = `idlc-providers-${opts.platform ?? process.platform}-${opts.arch ?? process.arch}-${opts.engine.name}-${opts.engine.version}-`;
  const hash = createHash('sha256');
  for (const dir of [...new Set(opts.stackDirs)].sort()) {
    const text = await readFile(join(opts.root, dir, '.terraform.lock.hcl'), 'utf8').catch(() => '');
    hash.update(`${dir}\0${text}\0`);
  }
  return { key: `${prefix}${hash.digest('hex').slice(0, 32)}`, restoreKeys: [prefix] };
}
