import { UsageError } from '../util/errors.ts';
import { PROVENANCE_SCHEMA, type Provenance, sha256 } from './provenance.ts';

/**
 * A plan bundle: everything apply needs to apply exactly the reviewed plan, in one object.
 *   plan.tfplan      the engine's saved plan (holds unmasked values: never leaves the team bucket)
 *   plan.json        `show -json` of it (also unmasked)
 *   model.json       the redacted plan model (the only part that also goes to GitHub)
 *   provenance.json  what was planned, from what, by which engine, with which policy result
 * Packed as a deterministic tar (fixed order, mtime 0, mode 0600), so its sha256 identifies it.
 */
export const BUNDLE_ENTRIES = ['provenance.json', 'plan.tfplan', 'plan.json', 'model.json'] as const;
type EntryName = (typeof BUNDLE_ENTRIES)[number];

export interface BundleParts {
  planFile: Uint8Array;
  planJson: string;
  model: unknown;
  provenance: Provenance;
}

export interface PackedBundle {
  bytes: Buffer;
  sha256: string;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function tar(entries: [string, Uint8Array][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, data] of entries) {
    parts.push(header(name, data.length), Buffer.from(data));
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

function untar(bytes: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off + BLOCK <= bytes.length) {
    const h = bytes.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
    const stored = Number.parseInt(
      h
        .subarray(148, 156)
        .toString('ascii')
        .replace(/[\0 ].*$/s, ''),
      8,
    );
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
    if (!Number.isFinite(size) || size < 0 || sum !== stored) throw new Error(`bad tar header at ${off}`);
    const start = off + BLOCK;
    if (start + size > bytes.length) throw new Error(`truncated tar entry ${name}`);
    out.set(name, bytes.subarray(start, start + size));
    off = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

export function packBundle(parts: BundleParts): PackedBundle {
  const data: Record<EntryName, Uint8Array> = {
    'provenance.json': Buffer.from(`${JSON.stringify(parts.provenance, null, 2)}\n`),
    'plan.tfplan': parts.planFile,
    'plan.json': Buffer.from(parts.planJson),
    'model.json': Buffer.from(`${JSON.stringify(parts.model)}\n`),
  };
  const bytes = tar(BUNDLE_ENTRIES.map((n) => [n, data[n]]));
  return { bytes, sha256: sha256(bytes) };
}

const corrupt = (stackId: string, why: string) =>
  new UsageError(
    `stack ${stackId}: the plan bundle is not usable: ${why}`,
    'nothing was applied. Re-run the plan to produce a new bundle',
  );

/**
 * Unpack and check a bundle: its sha256 against the expected one(s), and the inner consistency
 * (the plan file inside is the one the provenance names). A bundle edited in the bucket after
 * the plan fails here.
 */
export function unpackBundle(
  bytes: Buffer,
  stackId: string,
  expectedSha256: string[],
): { parts: BundleParts; sha256: string } {
  const actual = sha256(bytes);
  for (const expected of expectedSha256) {
    if (expected.toLowerCase() !== actual) {
      throw new UsageError(
        `stack ${stackId}: the plan bundle's sha256 is ${actual}, but ${expected.toLowerCase()} was published ` +
          'when it was planned: the bundle was changed after review',
        'nothing was applied. Re-run the plan to produce a new bundle and review it',
      );
    }
  }
  let entries: Map<string, Buffer>;
  try {
    entries = untar(bytes);
  } catch (err) {
    throw corrupt(stackId, (err as Error).message);
  }
  for (const name of BUNDLE_ENTRIES) if (!entries.has(name)) throw corrupt(stackId, `${name} is missing`);
  let provenance: Provenance;
  let model: unknown;
  try {
    provenance = JSON.parse(entries.get('provenance.json')!.toString('utf8')) as Provenance;
    model = JSON.parse(entries.get('model.json')!.toString('utf8'));
  } catch {
    throw corrupt(stackId, 'provenance.json or model.json is not JSON');
  }
  if (provenance.schema !== PROVENANCE_SCHEMA)
    throw corrupt(stackId, `unknown provenance "${provenance.schema}"`);
  const planFile = entries.get('plan.tfplan')!;
  const planJson = entries.get('plan.json')!.toString('utf8');
  if (sha256(planFile) !== provenance.plan.sha256) {
    throw corrupt(stackId, 'plan.tfplan does not match the sha256 recorded in its provenance (tampered)');
  }
  if (sha256(planJson) !== provenance.plan.jsonSha256) {
    throw corrupt(stackId, 'plan.json does not match the sha256 recorded in its provenance (tampered)');
  }
  return { parts: { planFile, planJson, model, provenance }, sha256: actual };
}
