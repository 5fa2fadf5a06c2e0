import { describe, expect, it } from 'vitest';
import { applyWaivers, formatFinding, result } from './findings.ts';
import type { Waiver } from './waivers.ts';

const waiver = (over: Partial<Waiver>): Waiver => ({
  rule: 'protected.stateful_destroy',
  stack: 'aws/search/prod',
  resource: 'aws_s3_bucket.archive',
  reason: 'Data migrated to the documents bucket.',
  owner: '@acme/search',
  expires: '2026-12-31',
  file: 'policy/waivers.yaml',
  line: 2,
  ...over,
});

const raw = {
  deny: [
    { rule: 'protected.stateful_destroy', resource: 'aws_s3_bucket.archive', message: 'would be deleted' },
    { rule: 'kms.rotation', resource: 'aws_kms_key.static', message: 'does not rotate' },
  ],
  warn: [{ rule: 'tags.unknown', resource: 'aws_sqs_queue.q', message: 'tags unknown' }],
};
const now = new Date('2026-11-25T12:00:00Z');

describe('applyWaivers', () => {
  it('turns a matching deny into waived and keeps it visible', () => {
    const { findings, warnings } = applyWaivers(raw, [waiver({})], 'aws/search/prod', now);
    expect(findings.map((f) => [f.status, f.rule])).toEqual([
      ['deny', 'kms.rotation'],
      ['waived', 'protected.stateful_destroy'],
      ['warn', 'tags.unknown'],
    ]);
    expect(findings[1]?.waiver).toEqual({
      reason: 'Data migrated to the documents bucket.',
      owner: '@acme/search',
      expires: '2026-12-31',
      at: 'policy/waivers.yaml:2',
    });
    expect(warnings).toEqual([]);
    expect(result(findings, warnings).denied).toBe(true);
  });

  it('denies with waivers.expired once a waiver for this stack has expired, and waives nothing', () => {
    const { findings } = applyWaivers(raw, [waiver({ expires: '2026-11-24' })], 'aws/search/prod', now);
    expect(findings.filter((f) => f.status === 'waived')).toEqual([]);
    const expired = findings.find((f) => f.rule === 'waivers.expired');
    expect(expired).toMatchObject({ status: 'deny', resource: 'aws_s3_bucket.archive' });
    expect(expired?.message).toMatch(/policy\/waivers\.yaml:2.*expired on 2026-11-24/);
  });

  it('ignores waivers of other stacks, even expired ones', () => {
    const { findings, warnings } = applyWaivers(
      raw,
      [waiver({ stack: 'aws/assistant/*' }), waiver({ stack: 'aws/search/dev', expires: '2020-01-01' })],
      'aws/search/prod',
      now,
    );
    expect(findings.map((f) => f.status)).toEqual(['deny', 'deny', 'warn']);
    expect(warnings).toEqual([]);
  });

  it('warns about a live waiver that matches nothing', () => {
    const { warnings } = applyWaivers(
      raw,
      [waiver({ resource: 'aws_s3_bucket.gone' })],
      'aws/search/prod',
      now,
    );
    expect(warnings[0]).toMatch(/waivers\.yaml:2 .* matched no finding in aws\/search\/prod/);
  });

  it('a fully waived plan is not denied', () => {
    const { findings, warnings } = applyWaivers(
      { deny: [raw.deny[0]!], warn: [] },
      [waiver({})],
      'aws/search/prod',
      now,
    );
    expect(result(findings, warnings).denied).toBe(false);
  });

  it('formats a finding with rule, resource and waiver', () => {
    const { findings } = applyWaivers(raw, [waiver({})], 'aws/search/prod', now);
    const text = formatFinding(findings[1]!);
    expect(text).toContain('WAIVED protected.stateful_destroy  aws_s3_bucket.archive');
    expect(text).toContain('waived by policy/waivers.yaml:2 until 2026-12-31 (@acme/search)');
  });
});
