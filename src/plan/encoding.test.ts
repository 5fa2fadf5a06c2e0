import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { decodePlanBytes } from './encoding.ts';
import { buildPlanModel } from './model.ts';

// A real `tofu show -json` document (gen.sh), re-encoded the way the files reach us.
const text = readFileSync(join(import.meta.dirname, 'testdata', 'create.show.json'), 'utf8');
const utf16le = (s: string, bom = true) =>
  Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => {
  const le = Buffer.from(s, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
};
const errorOf = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
};
// nothing of the file's bytes is echoed: no NUL, no replacement character, no raw JSON
const expectNoRawBytes = (message: string) => {
  expect(message).not.toContain('\u0000');
  expect(message).not.toContain('\ufffd');
  expect(message).not.toContain('format_version');
};

describe('decodePlanBytes', () => {
  it('reads UTF-8, with or without a byte order mark', () => {
    expect(decodePlanBytes(Buffer.from(text))).toBe(text);
    expect(decodePlanBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe(text);
  });

  it('names UTF-16 LE written by PowerShell (byte order mark FF FE) and the command that writes UTF-8', () => {
    const err = errorOf(() => decodePlanBytes(utf16le(text), 'plan.json'));
    expect(err.message).toContain('plan.json is UTF-16 LE (byte order mark FF FE) text, not UTF-8');
    expect(err.message).toContain(
      'fix: write the plan JSON from a UTF-8 shell: `tofu show -json plan.tfplan > plan.json`',
    );
    expect(err.message).toContain("Windows PowerShell's `>` writes UTF-16");
    expectNoRawBytes(err.message);
  });

  it('names UTF-16 BE, UTF-16 without a mark, and UTF-32', () => {
    expect(errorOf(() => decodePlanBytes(utf16be(text))).message).toContain(
      'UTF-16 BE (byte order mark FE FF)',
    );
    expect(errorOf(() => decodePlanBytes(utf16le(text, false))).message).toContain(
      'UTF-16 LE (no byte order mark)',
    );
    const utf32 = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('{\0\0\0')]);
    expect(errorOf(() => decodePlanBytes(utf32)).message).toContain('UTF-32 LE');
  });

  it('names the first byte that is not UTF-8 (a Latin-1 file), a NUL, and a binary plan file', () => {
    const latin1 = Buffer.from('{"format_version":"1.2","x":"caf\u00e9"}', 'latin1');
    const err = errorOf(() => decodePlanBytes(latin1, 'plan.json'));
    expect(err.message).toContain('plan.json is not valid UTF-8: the byte at offset 32 (E9)');
    expect(errorOf(() => decodePlanBytes(Buffer.from('{"a":"\0"}'))).message).toContain(
      'has a NUL byte at offset 6',
    );
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]);
    expect(errorOf(() => decodePlanBytes(zip)).message).toContain('is a zip archive (a binary plan file)');
  });
});

describe('buildPlanModel on text that was never UTF-8', () => {
  it('refuses UTF-16 read as UTF-8 without echoing its bytes', () => {
    const garbled = utf16le(text).toString('utf8');
    const err = errorOf(() => buildPlanModel(garbled));
    expect(err.message).toContain('looks like UTF-16 text, not UTF-8');
    expect(err.message).toContain('tofu show -json plan.tfplan > plan.json');
    expectNoRawBytes(err.message);
  });

  it('accepts a leading byte order mark and never quotes input in a parse error', () => {
    expect(buildPlanModel(`\ufeff${text}`).counts.create).toBe(7);
    const err = errorOf(() => buildPlanModel('{"format_version": "1.2", \u0007 oops'));
    expect(err.message).toMatch(/^plan JSON does not parse: /);
    expect(err.message).not.toContain('\u0007');
    expect(err.message).not.toContain('oops');
  });
});
