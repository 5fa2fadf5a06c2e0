import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packBundle, unpackBundle } from './bundle.ts';
import { PROVENANCE_SCHEMA, type Provenance, sha256 } from './provenance.ts';

const planFile = Buffer.from('PK\u0003\u0004 not really a zip, but bytes');
const planJson = '{"format_version":"1.2"}';
const provenance: Provenance = {
  schema: PROVENANCE_SCHEMA,
  stackId: 'aws/search/dev',
  stackDir: 'idlc/aws/environments/search/dev',
  headSha: 'c'.repeat(40),
  runId: '1',
  createdAt: '2026-01-01T00:00:00.000Z',
  content: { sha256: 'x', files: [], remote: [] },
  engine: { name: 'tofu', version: '1.12.6' },
  registryEntrySha256: 'r',
  policy: { evaluated: true, denied: false },
  plan: { sha256: sha256(planFile), jsonSha256: sha256(planJson), hasChanges: true },
};
const parts = { planFile, planJson, model: { version: 1 }, provenance };

describe('plan bundle', () => {
  it('is deterministic and round-trips', () => {
    const a = packBundle(parts);
    const b = packBundle(parts);
    expect(a.sha256).toBe(b.sha256);
    const { parts: back, sha256: h } = unpackBundle(a.bytes, 'aws/search/dev', [a.sha256]);
    expect(h).toBe(a.sha256);
    expect(Buffer.from(back.planFile).equals(planFile)).toBe(true);
    expect(back.planJson).toBe(planJson);
    expect(back.provenance).toEqual(provenance);
  });

  it('is a tar the system tar reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idlc-bundle-'));
    writeFileSync(join(dir, 'b.tar'), packBundle(parts).bytes);
    const out = spawnSync('tar', ['-xf', 'b.tar'], { cwd: dir });
    expect(out.status).toBe(0);
    expect(readFileSync(join(dir, 'plan.json'), 'utf8')).toBe(planJson);
  });

  it('refuses a bundle whose hash differs from the published one', () => {
    const a = packBundle(parts);
    expect(() => unpackBundle(a.bytes, 's', ['0'.repeat(64)])).toThrow(/changed after review/);
  });

  it('refuses a swapped plan file even when the outer hash is not pinned', () => {
    const evil = packBundle({ ...parts, planFile: Buffer.from('other plan') });
    expect(() => unpackBundle(evil.bytes, 's', [])).toThrow(/plan\.tfplan does not match/);
  });

  it('refuses garbage and truncation', () => {
    expect(() => unpackBundle(Buffer.from('nonsense'.repeat(100)), 's', [])).toThrow(/not usable/);
    const a = packBundle(parts).bytes;
    expect(() => unpackBundle(a.subarray(0, 700), 's', [])).toThrow(/not usable/);
  });
});
