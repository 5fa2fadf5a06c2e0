/** Progress lines: what runs, how long so far, how long it usually takes. Never a silent terminal. */

export type Say = (line: string) => void;

export const seconds = (ms: number) =>
  ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;

/**
 * Run `fn`, saying when it starts, every `everyMs` while it runs (with what `detail` adds),
 * and when it ends.
 */
export async function step<T>(
  say: Say,
  what: string,
  typical: string,
  fn: () => Promise<T>,
  opts: { everyMs?: number; detail?: () => string } = {},
): Promise<T> {
  const t0 = Date.now();
  say(`→ ${what} (typically ${typical})`);
  const timer = setInterval(() => {
    const extra = opts.detail?.();
    say(`  … ${what}: ${seconds(Date.now() - t0)} so far (typically ${typical})${extra ? `; ${extra}` : ''}`);
  }, opts.everyMs ?? 15_000);
  timer.unref();
  try {
    const out = await fn();
    say(`✓ ${what} (${seconds(Date.now() - t0)})`);
    return out;
  } catch (err) {
    say(`✗ ${what} failed after ${seconds(Date.now() - t0)}`);
    throw err;
  } finally {
    clearInterval(timer);
  }
}
