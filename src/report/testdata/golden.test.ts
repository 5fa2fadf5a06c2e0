import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectGolden } from './golden.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'idlc-golden-'));
  dirs.push(d);
  return d;
};
const owner = join(import.meta.dirname, '..', 'plan-report.test.ts');

describe('expectGolden', () => {
  it('fails on a missing golden, naming the file and the command that creates it, and writes nothing', () => {
    const file = join(tmp(), 'new.md');
    // a plain run, as scripts/test does it locally (CI unset) and as CI does it
    for (const env of [{}, { CI: 'true' }]) {
      let message = '';
      try {
        expectGolden('# report\n', file, owner, env);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^golden file .*new\.md is missing; /);
      expect(message).toContain('create it with: UPDATE_GOLDENS=1 npx vitest run src/report/plan-report.test.ts');
      expect(existsSync(file)).toBe(false);
    }
  });

  it('fails on a different golden and leaves it as it was', () => {
    const file = join(tmp(), 'old.md');
    writeFileSync(file, 'before\n');
    expect(() => expectGolden('after\n', file, owner, {})).toThrow(/old\.md differs; if the change is intended/);
    expect(readFileSync(file, 'utf8')).toBe('before\n');
    expect(() => expectGolden('before\n', file, owner, {})).not.toThrow();
  });

  it('writes only with UPDATE_GOLDENS=1, and never where CI is set', () => {
    const file = join(tmp(), 'sub', 'made.md');
    expect(() => expectGolden('x\n', file, owner, { UPDATE_GOLDENS: '1', CI: 'true' })).toThrow(
      /goldens are never written in CI/,
    );
    expect(existsSync(file)).toBe(false);
    expectGolden('x\n', file, owner, { UPDATE_GOLDENS: '1' });
    expect(readFileSync(file, 'utf8')).toBe('x\n');
  });
});
