import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toolPath } from '../toolchain/tools.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The Rego suite as CI must see it, whichever entry point runs the tests: opa fmt, opa check,
// fixtures up to date, opa test, coverage >= 90 %, regal lint (scripts/test-policy).
describe('policy/ Rego suite', () => {
  it('scripts/test-policy passes', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(
        'bash',
        ['scripts/test-policy'],
        { cwd: ROOT, env: { ...process.env, PATH: toolPath() }, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
      ),
    );
    if (code !== 0) expect.fail(`scripts/test-policy exited ${code}:\n${output.slice(-6000)}`);
    expect(output).toMatch(/coverage \d+\.\d+% \(minimum 90%\)/);
    expect(output).toMatch(/No violations found/);
  }, 180_000);
});
