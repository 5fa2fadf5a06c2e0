import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  errorSummary,
  isCorruptPlan,
  isStalePlan,
  parseLockInfo,
  stateLockedError,
} from './engine-errors.ts';

// Captured from tofu 1.12.6 against moto (S3 native lockfile), colours included.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const LOCKED = fixture('tofu-1.12.6-lock-held.stderr');
const STALE = fixture('tofu-1.12.6-stale-plan.stderr');
const CORRUPT = fixture('tofu-1.12.6-corrupt-plan.stderr');

describe('engine output', () => {
  it('reads who holds the state lock, since when, and its id', () => {
    expect(parseLockInfo(LOCKED)).toEqual({
      id: '626ef381-50df-a04c-465a-e0aac858597e',
      path: 'tfstate-a/dev/main/terraform.tfstate',
      operation: 'OperationTypeApply',
      who: 'root@vm',
      version: '1.12.6',
      created: '2026-11-25 21:43:32.263459552 +0000 UTC',
      info: undefined,
    });
    expect(parseLockInfo(STALE)).toBeUndefined();
  });

  it('turns a held lock into who/when/id and the manual force-unlock command', () => {
    const err = stateLockedError('tofu', 'aws/search/dev', parseLockInfo(LOCKED)!, LOCKED);
    expect(err.kind).toBe('locked');
    expect(err.message).toContain('held by: root@vm (apply)');
    expect(err.message).toContain('since:   2026-11-25 21:43:32.263459552 +0000 UTC');
    expect(err.message).toContain('lock id: 626ef381-50df-a04c-465a-e0aac858597e');
    expect(err.fix).toContain('tofu force-unlock 626ef381-50df-a04c-465a-e0aac858597e');
  });

  it('recognises a stale and a corrupted saved plan', () => {
    expect(isStalePlan(STALE)).toBe(true);
    expect(isStalePlan(LOCKED)).toBe(false);
    expect(isCorruptPlan(CORRUPT)).toBe(true);
    expect(isCorruptPlan(STALE)).toBe(false);
  });

  it('summarises from the first Error: line without colour or box drawing', () => {
    const s = errorSummary(STALE);
    expect(s.startsWith('Error: Saved plan is stale')).toBe(true);
    expect(s).not.toMatch(/\u001b|│/);
  });
});
