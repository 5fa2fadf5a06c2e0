import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTools, readPinnedVersions, TOOLS } from './tools.ts';

const root = join(import.meta.dirname, '..', '..');

describe('pinned toolchain (installed by scripts/install-tools)', () => {
  it('every tool runs and reports exactly the pinned version', async () => {
    const statuses = await checkTools(root);
    const report = statuses.map((s) => `${s.ok ? '✓' : '✗'} ${s.name}: ${s.detail}`);
    expect(report.filter((r) => r.startsWith('✗'))).toEqual([]);
    expect(statuses.map((s) => s.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
  });

  it('the registry engine pin and the toolchain pin agree', async () => {
    const pins = await readPinnedVersions(root);
    const { readFileSync } = await import('node:fs');
    const yaml = readFileSync(join(root, 'idlc.yaml'), 'utf8');
    expect(yaml).toMatch(new RegExp(`\\n {2}version: ${pins['TOFU_VERSION']?.replaceAll('.', '\\.')}\\b`));
  });
});
