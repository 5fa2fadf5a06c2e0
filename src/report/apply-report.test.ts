import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderApplyReport } from './apply-report.ts';
import { APPLY_MARKER } from './markers.ts';
import { type ApplyResult, loadStackResults } from './results.ts';
import { expectGolden } from './testdata/golden.ts';
import { checkStructure } from './testdata/structure.ts';

const { results } = await loadStackResults(join(import.meta.dirname, 'testdata', 'results'));
const RUN = 'https://github.com/acme/platform/actions/runs/5151';

// apply results for the stacks planned in the fixtures: the plan's model is what was applied
const applied: ApplyResult[] = results.map((r, i) => ({
  stack: r.stack,
  wave: r.wave,
  status:
    r.status === 'error'
      ? 'failed'
      : r.status === 'denied'
        ? 'skipped'
        : r.status === 'no-changes'
          ? 'no-changes'
          : i === 3
            ? 'stale'
            : 'applied',
  ...(r.model ? { model: r.model } : {}),
  ...(r.status === 'error' ? { error: r.error } : {}),
  ...(i === 3
    ? { error: 'the plan bundle was made for 3f9c2a7 but main is at 9d8e7f6; re-plan on a PR' }
    : {}),
  links: { run: `${RUN}/job/${i}` },
}));

describe('renderApplyReport', () => {
  it('renders the apply results for the merged PR (golden)', async () => {
    const md = renderApplyReport(applied, {
      commitSha: '9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e',
      links: { run: RUN },
    });
    expect(md.startsWith(`${APPLY_MARKER}\n`)).toBe(true);
    expect(md).toContain('### ❌ idlc apply: 7 applied · 1 without changes · 1 failed · 1 stale · 1 skipped');
    expect(md).toContain('> [!CAUTION]');
    expect(checkStructure(md).problems).toEqual([]);
    expectGolden(md, join(import.meta.dirname, 'testdata', 'golden', 'apply.md'), import.meta.filename);
  });

  it('fits its budget with many failures', () => {
    const many = Array.from({ length: 300 }, (_, k) => ({
      ...(applied.find((a) => a.status === 'failed') as ApplyResult),
      stack: { ...applied[0]!.stack, id: `aws/x/dev/s${k}`, name: `s${k}` },
    }));
    const md = renderApplyReport(many, { budget: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(checkStructure(md).problems).toEqual([]);
    expect(md).toMatch(/… \d+ more (stacks|failures) in the job summary/);
  });
});
