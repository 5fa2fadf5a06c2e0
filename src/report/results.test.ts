import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdlcError } from '../util/errors.ts';
import { loadStackResults, statusOf } from './results.ts';

const fixtures = join(import.meta.dirname, 'testdata', 'results');

describe('loadStackResults', () => {
  it('reads one result per file and lists of results, recursively (one folder per artifact)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-results-'));
    await mkdir(join(dir, 'plan-aws-search-dev'));
    const create = JSON.parse(await readFile(join(fixtures, 'create.json'), 'utf8'));
    const noop = JSON.parse(await readFile(join(fixtures, 'noop.json'), 'utf8'));
    const update = JSON.parse(await readFile(join(fixtures, 'update.json'), 'utf8'));
    await writeFile(join(dir, 'plan-aws-search-dev', 'result.json'), JSON.stringify(create));
    await writeFile(join(dir, 'batch.json'), JSON.stringify([noop, update]));
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const { results, warnings } = await loadStackResults(dir);
    expect(results.map((r) => r.stack.id).sort()).toEqual([
      'aws/platform/staging/network',
      'aws/search/dev',
      'aws/search/staging',
    ]);
    expect(warnings).toEqual([]);
  });

  it('names the file and field of a malformed result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-results-'));
    const bad = JSON.parse(await readFile(join(fixtures, 'create.json'), 'utf8'));
    bad.status = 'maybe';
    delete bad.stack.team;
    await writeFile(join(dir, 'bad.json'), JSON.stringify(bad));
    const err = await loadStackResults(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdlcError);
    const fields = (err as IdlcError).problems.map((p) => p.field).sort();
    expect(fields).toEqual(['stack.team', 'status']);
    expect((err as IdlcError).message).toContain('bad.json');
  });

  it('keeps the later of two results for one stack and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-results-'));
    const create = await readFile(join(fixtures, 'create.json'), 'utf8');
    await writeFile(join(dir, 'a.json'), create);
    await writeFile(join(dir, 'b.json'), create);
    const { results, warnings } = await loadStackResults(dir);
    expect(results).toHaveLength(1);
    expect(warnings[0]).toMatch(/aws\/search\/dev: results in .*a\.json and .*b\.json; using .*b\.json/);
  });

  it('fails with the fix when the folder is missing', async () => {
    await expect(loadStackResults('/nonexistent/results')).rejects.toThrow(/download the plan jobs/);
  });
});

describe('statusOf', () => {
  it('derives error, denied, changes and no-changes', async () => {
    const { results } = await loadStackResults(fixtures);
    const model = (id: string) => results.find((r) => r.stack.id === id)?.model;
    expect(statusOf(undefined)).toBe('error');
    expect(statusOf(model('aws/assistant/prod'))).toBe('error');
    expect(
      statusOf(model('aws/search/dev'), [{ status: 'deny', rule: 'r', resource: 'x', message: 'm' }]),
    ).toBe('denied');
    expect(
      statusOf(model('aws/search/dev'), [{ status: 'waived', rule: 'r', resource: 'x', message: 'm' }]),
    ).toBe('changes');
    expect(statusOf(model('aws/platform/staging/network'))).toBe('no-changes');
  });
});
