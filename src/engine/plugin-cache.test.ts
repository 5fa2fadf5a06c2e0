import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_LOCK_FILE, withPluginCacheLock } from './plugin-cache.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withPluginCacheLock', () => {
  it('lets one holder in at a time and releases on success and failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-cache-'));
    let inside = 0;
    let most = 0;
    const work = async (fail: boolean) => {
      inside++;
      most = Math.max(most, inside);
      await sleep(20);
      inside--;
      if (fail) throw new Error('init failed');
    };
    const results = await Promise.allSettled(
      [false, true, false, false, true, false].map((fail) =>
        withPluginCacheLock(dir, () => work(fail), { pollMs: 5 }),
      ),
    );
    expect(most).toBe(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
    expect(existsSync(join(dir, CACHE_LOCK_FILE))).toBe(false);
  });

  it('takes over the lock of a process that died', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-cache-'));
    // pid 2^22+1 is above Linux's pid_max default: certainly not running.
    await writeFile(
      join(dir, CACHE_LOCK_FILE),
      JSON.stringify({ pid: 4194305, host: hostname(), created: 'x' }),
    );
    await expect(withPluginCacheLock(dir, async () => 'ran', { timeoutMs: 1000 })).resolves.toBe('ran');
  });

  it('times out on a live holder, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-cache-'));
    await writeFile(
      join(dir, CACHE_LOCK_FILE),
      JSON.stringify({ pid: process.ppid, host: hostname(), created: 'then' }),
    );
    await expect(withPluginCacheLock(dir, async () => 'ran', { timeoutMs: 150, pollMs: 10 })).rejects.toThrow(
      new RegExp(`held by pid ${process.ppid}`),
    );
  });
});
