import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlanDiagnostics } from './diagnostics.ts';

const testdata = join(import.meta.dirname, 'testdata');

describe('parsePlanDiagnostics', () => {
  it('reads the human stderr of a failed plan (real tofu output)', () => {
    const [d, ...rest] = parsePlanDiagnostics(readFileSync(join(testdata, 'error.stderr.txt'), 'utf8'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      severity: 'error',
      summary: 'Resource precondition failed',
      location: 'main.tf:7',
    });
  });

  it('strips colour codes and box drawing, errors before warnings', () => {
    const text = [
      '\u001b[33m╷\u001b[0m',
      '│ Warning: Deprecated attribute',
      '│ ',
      '│ use "name" instead',
      '╵',
      '\u001b[31m╷\u001b[0m',
      '│ \u001b[1mError: \u001b[0mInvalid count argument',
      '│ ',
      '│   on main.tf line 3, in resource "terraform_data" "x":',
      '╵',
    ].join('\n');
    const list = parsePlanDiagnostics(text);
    expect(list.map((d) => [d.severity, d.summary])).toEqual([
      ['error', 'Invalid count argument'],
      ['warning', 'Deprecated attribute'],
    ]);
    expect(list[0]?.location).toBe('main.tf:3');
  });

  it('reads a provider error that quotes "Error: …" inside its detail as one diagnostic', () => {
    const list = parsePlanDiagnostics(readFileSync(join(testdata, 'leak.stderr.txt'), 'utf8'));
    expect(list.map((d) => d.summary)).toEqual(['Invalid RFC3339 String Value']);
    expect(list[0]?.detail).toMatch(/Given Value: .*\nError: parsing time/);
    expect(list[0]?.location).toBe('main.tf:10');
  });

  it('keeps unrecognised output as one error so a failure always has its reason', () => {
    expect(parsePlanDiagnostics('segmentation fault\n')).toEqual([
      { severity: 'error', summary: 'plan failed', detail: 'segmentation fault' },
    ]);
    expect(parsePlanDiagnostics('')).toEqual([]);
  });
});
