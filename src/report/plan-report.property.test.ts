// The renderer's size promise, as a property: for every budget from MIN_REPORT_BUDGET (500)
// up and every plan fast-check generates — any number of stacks, any number of resources
// (real tofu change records, scaled), every status, policy findings, hostile stack names and
// messages — the report is never longer than the budget, and its markdown stays whole:
// <details> balanced, fences closed, no live @mention or #ref (mdast-util-from-markdown).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPlanModel, type PlanModel } from '../plan/model.ts';
import { bytes } from './budget.ts';
import { renderPlanReport } from './plan-report.ts';
import type { StackResult } from './results.ts';
import { scaledShowJson } from './testdata/scale.ts';
import { checkStructure } from './testdata/structure.ts';

const results = join(import.meta.dirname, 'testdata', 'results');
const denied = JSON.parse(readFileSync(join(results, 'denied.json'), 'utf8')) as StackResult;
const failed = JSON.parse(readFileSync(join(results, 'error.json'), 'utf8')) as StackResult;

// models are the expensive part: one per (resources, seed), reused across runs
const models = new Map<string, PlanModel>();
const modelOf = (resources: number, seed: number): PlanModel => {
  const key = `${resources}/${seed}`;
  let m = models.get(key);
  if (!m) {
    m = buildPlanModel(scaledShowJson(resources, seed));
    models.set(key, m);
  }
  return m;
};

// pieces of text that have broken markdown renderers: tags, fences, mentions, refs, table
// pipes, entities, invisible and bidi characters, line separators, long runs
const HOSTILE = [
  '</details>',
  '<details open>',
  '<summary>',
  '```',
  '~~~',
  '`',
  '@acme/admins',
  '#123',
  'acme/platform#9',
  '|',
  '<img src=x onerror=alert(1)>',
  '<!--',
  '&amp;',
  '\\',
  '*',
  '_',
  '[x](https://evil.example)',
  'https://evil.example/a',
  '\u202e',
  '\u200b',
  '\u2028',
  '\ufeff',
  '\u{e0041}',
  '\n',
  '\r\n',
  '🔴',
  'é',
  'x'.repeat(120),
  'a',
  '-',
  '/',
];
const hostile = (maxLength: number) => fc.string({ unit: fc.constantFrom(...HOSTILE), maxLength });

const stackArb = fc.record({
  team: fc.constantFrom('search', 'assistant', 'platform', 'data'),
  env: fc.constantFrom('dev', 'staging', 'prod'),
  name: hostile(6),
  status: fc.constantFrom('changes', 'changes', 'denied', 'error', 'no-changes'),
  resources: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 400 })),
  seed: fc.nat(40),
  wave: fc.nat(3),
  findings: fc.nat(30),
  message: hostile(5),
});

type GeneratedStack = typeof stackArb extends fc.Arbitrary<infer T> ? T : never;

function toResult(s: GeneratedStack, k: number): StackResult {
  const model = s.status === 'no-changes' ? modelOf(0, 0) : modelOf(s.resources, s.seed);
  const findings =
    s.status === 'denied'
      ? (denied.policy?.findings ?? []).slice(0, Math.max(1, s.findings)).map((f) => ({
          ...f,
          message: `${f.message} ${s.message}`,
        }))
      : [];
  return {
    stack: {
      id: `aws/${s.team}/${s.env}/${s.name}${k}`,
      team: s.team,
      env: s.env,
      name: `${s.name}${k}`,
      dir: `idlc/aws/environments/${s.team}/${s.env}/${s.name}${k}`,
    },
    wave: s.wave,
    status: s.status as StackResult['status'],
    ...(s.status === 'error' ? { error: `${failed.error ?? 'failed'}\n${s.message}` } : { model }),
    policy: { findings },
    links: {
      run: `https://github.com/acme/platform/actions/runs/1/job/${k}`,
      summary: `https://github.com/acme/platform/actions/runs/1#summary-${k}`,
    },
  };
}

const planArb = fc.array(stackArb, { maxLength: 24 }).map((stacks) => stacks.map(toResult));
// small budgets are where renderers break: weigh them
const budgetArb = fc.oneof(
  fc.integer({ min: 500, max: 1_500 }),
  fc.integer({ min: 500, max: 6_000 }),
  fc.integer({ min: 500, max: 65_280 }),
);

describe('renderPlanReport: the size promise, over generated plans and budgets', () => {
  it('a PR comment (characters) is never longer than its budget, and whole', () => {
    fc.assert(
      fc.property(planArb, budgetArb, (plan, budget) => {
        const md = renderPlanReport(plan, { budget, commitSha: 'a'.repeat(40) });
        expect(md.length).toBeLessThanOrEqual(budget);
        expect(checkStructure(md).problems).toEqual([]);
      }),
      { numRuns: 250 },
    );
  });

  it('a job summary (bytes, no marker) is never longer than its budget, and whole', () => {
    fc.assert(
      fc.property(planArb, budgetArb, (plan, budget) => {
        const md = renderPlanReport(plan, { budget, measure: bytes, marker: '', elsewhere: '' });
        expect(Buffer.byteLength(md)).toBeLessThanOrEqual(budget);
        expect(checkStructure(md).problems).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('holds for a long title too (it is cut at 60 characters)', () => {
    fc.assert(
      fc.property(planArb, fc.integer({ min: 500, max: 2_000 }), hostile(80), (plan, budget, title) => {
        const md = renderPlanReport(plan, { budget, title });
        expect(md.length).toBeLessThanOrEqual(budget);
        expect(checkStructure(md).problems).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
