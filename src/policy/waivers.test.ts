import { describe, expect, it } from 'vitest';
import { IdlcError } from '../util/errors.ts';
import { globMatch, isExpired, parseWaivers } from './waivers.ts';

const valid = `waivers:
  - rule: protected.stateful_destroy
    stack: aws/search/prod
    resource: aws_s3_bucket.archive
    reason: Replaced by the documents bucket; data migrated in CHG-1234.
    owner: "@acme/search"
    expires: 2026-12-31
  - rule: "s3.*"
    stack: "aws/*/dev"
    resource: 'module.app["blue"].*'
    reason: Scratch buckets of the blue/green trial, removed next sprint.
    owner: platform@acme.example
    expires: 2027-01-15
`;

function problems(text: string) {
  try {
    parseWaivers(text);
  } catch (err) {
    expect(err).toBeInstanceOf(IdlcError);
    return (err as IdlcError).problems;
  }
  throw new Error('expected an IdlcError');
}

describe('parseWaivers', () => {
  it('reads entries with the line each starts on', () => {
    const w = parseWaivers(valid);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatchObject({ rule: 'protected.stateful_destroy', line: 2, file: 'policy/waivers.yaml' });
    expect(w[1]?.line).toBe(8);
  });

  it('accepts the committed empty file shape', () => {
    expect(parseWaivers('waivers: []\n')).toEqual([]);
    expect(parseWaivers('# nothing yet\n')).toEqual([]);
  });

  it('names file, line and field of a missing field', () => {
    const p = problems(valid.replace('    owner: "@acme/search"\n', ''));
    expect(p).toEqual([
      expect.objectContaining({
        file: 'policy/waivers.yaml',
        line: 2,
        field: 'waivers.0.owner',
        fix: 'add owner',
      }),
    ]);
    expect(new IdlcError(p).message).toMatch(/^policy\/waivers\.yaml:2: waivers\.0\.owner: required field/);
  });

  it('rejects a date that is not YYYY-MM-DD or not in the calendar', () => {
    const p = problems(valid.replace('2027-01-15', '15/01/2027').replace('2026-12-31', '2026-02-30'));
    expect(p.map((x) => [x.field, x.line])).toEqual([
      ['waivers.0.expires', 7],
      ['waivers.1.expires', 13],
    ]);
    expect(p[0]?.message).toMatch(/calendar/);
    expect(p[1]?.message).toMatch(/YYYY-MM-DD/);
  });

  it('rejects unknown keys and short reasons at their line', () => {
    const p = problems(
      valid.replace(
        '    reason: Scratch buckets of the blue/green trial, removed next sprint.\n',
        '    reason: tmp\n    ticket: X-1\n',
      ),
    );
    expect(p).toEqual([
      expect.objectContaining({ field: 'waivers.1.reason', line: 11 }),
      expect.objectContaining({ field: 'waivers.1.ticket', line: 12, message: 'unknown key' }),
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const p = problems('waivers:\n  - rule: a\n    stack: [unclosed\n');
    expect(p[0]?.line).toBeGreaterThan(1);
    expect(p[0]?.message).toMatch(/invalid YAML/);
  });

  it('asks for a mapping when the file is a bare list', () => {
    const p = problems('- rule: a\n');
    expect(p[0]?.message).toMatch(/mapping with a waivers: list/);
  });
});

describe('globMatch', () => {
  it('matches addresses with brackets and quotes literally', () => {
    expect(globMatch('module.app["blue"].aws_s3_bucket.x', 'module.app["blue"].*')).toBe(true);
    expect(globMatch('module.app["green"].aws_s3_bucket.x', 'module.app["blue"].*')).toBe(false);
    expect(globMatch('aws_s3_bucket.logs[0]', 'aws_s3_bucket.logs[0]')).toBe(true);
  });
  it('treats / as the separator of stack ids and manifest ids', () => {
    expect(globMatch('aws/search/dev', 'aws/*/dev')).toBe(true);
    expect(globMatch('aws/search/prod/account-baseline', 'aws/search/*')).toBe(false);
    expect(globMatch('aws/search/prod/account-baseline', 'aws/search/**')).toBe(true);
    expect(globMatch('s3.tls_only', 's3.*')).toBe(true);
  });
});

describe('isExpired', () => {
  it('applies through the whole expires day (UTC)', () => {
    const w = { expires: '2026-12-31' };
    expect(isExpired(w, new Date('2026-12-31T23:59:59Z'))).toBe(false);
    expect(isExpired(w, new Date('2027-01-01T00:00:00Z'))).toBe(true);
  });
});
