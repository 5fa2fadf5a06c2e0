// docs/pr-feedback.md shows a real rendered comment. This test renders it from the fixtures
// and compares the whole document; `UPDATE_GOLDENS=1 npx vitest run src/report/docs-example.test.ts`
// rewrites the generated section (the prose around it is kept). A plain run only compares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { renderPlanReport } from './plan-report.ts';
import { loadStackResults } from './results.ts';
import { expectGolden } from './testdata/golden.ts';

const doc = join(import.meta.dirname, '..', '..', 'docs', 'pr-feedback.md');
const BEGIN = '<!-- BEGIN GENERATED EXAMPLE -->';
const END = '<!-- END GENERATED EXAMPLE -->';

it('docs/pr-feedback.md carries the current render of the fixtures', async () => {
  const { results } = await loadStackResults(join(import.meta.dirname, 'testdata', 'results'));
  const comment = renderPlanReport(results, {
    commitSha: '3f9c2a7e5b1d4c6a8e0f2b4d6c8a0e2f4b6d8c0a',
    links: {
      run: 'https://github.com/acme/platform/actions/runs/4242',
      summary: 'https://github.com/acme/platform/actions/runs/4242#summary-9',
    },
  });
  const text = readFileSync(doc, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  expect(start, `${doc} lost its ${BEGIN} line`).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  const current = `${text.slice(0, start + BEGIN.length)}\n\n${comment}\n\n${text.slice(end)}`;
  expectGolden(current, doc, import.meta.filename);
});
