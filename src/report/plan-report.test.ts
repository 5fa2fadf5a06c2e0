import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlanModel } from '../plan/model.ts';
import { bytes, SUMMARY_BUDGET } from './budget.ts';
import { PLAN_MARKER } from './markers.ts';
import { allocate, renderPlanReport } from './plan-report.ts';
import { loadStackResults, type StackResult } from './results.ts';
import { expectGolden } from './testdata/golden.ts';
import { scaledResults } from './testdata/scale.ts';
import { checkStructure } from './testdata/structure.ts';

// The results in testdata/results are made by testdata/gen.ts from real `tofu show -json`
// fixtures (src/plan/testdata/gen.sh) and real OPA findings.
const resultsDir = join(import.meta.dirname, 'testdata', 'results');
const golden = (name: string) => join(import.meta.dirname, 'testdata', 'golden', `${name}.md`);
const { results: all } = await loadStackResults(resultsDir);
const byScenario = (file: string): StackResult => {
  const r = all.find((x) => x.links.run?.endsWith(`/job/${JOBS[file]}`));
  if (!r) throw new Error(`no result ${file}`);
  return r;
};
const JOBS: Record<string, number> = {
  delete: 11,
  drift: 12,
  noop: 13,
  hostile: 14,
  replace: 21,
  create: 31,
  update: 32,
  'moved-imported': 33,
  sensitive: 34,
  error: 35,
  denied: 36,
};
const OPTS = {
  commitSha: '3f9c2a7e5b1d4c6a8e0f2b4d6c8a0e2f4b6d8c0a',
  links: {
    run: 'https://github.com/acme/platform/actions/runs/4242',
    summary: 'https://github.com/acme/platform/actions/runs/4242#summary-9',
  },
};

function expectWellFormed(md: string) {
  const s = checkStructure(md);
  expect(s.problems).toEqual([]);
  return s;
}

describe('renderPlanReport: goldens from real plans', () => {
  for (const scenario of Object.keys(JOBS)) {
    it(`renders ${scenario}`, async () => {
      const md = renderPlanReport([byScenario(scenario)], OPTS);
      expectWellFormed(md);
      expect(md.startsWith(`${PLAN_MARKER}\n`)).toBe(true);
      expectGolden(md, golden(scenario), import.meta.filename);
    });
  }

  it('renders every stack of a PR in one comment (the docs example)', async () => {
    const md = renderPlanReport(all, OPTS);
    const s = expectWellFormed(md);
    expect(s.details).toBe(all.filter((r) => r.status !== 'no-changes').length + 1); // + the graph
    expectGolden(md, golden('pull-request'), import.meta.filename);
  });
});

describe('renderPlanReport: content', () => {
  it('puts the headline, notices and a table per wave before any details', () => {
    const md = renderPlanReport(all, OPTS);
    const at = (s: string) => md.indexOf(s);
    expect(md).toMatch(
      /^<!-- idlc:plan-report v1 -->\n\n### ❌ idlc plan: 11 stacks planned · 9 with changes · 1 denied · 1 error/,
    );
    expect(at('> [!CAUTION]')).toBeLessThan(at('#### Wave 0'));
    expect(at('#### Wave 0')).toBeLessThan(at('#### Wave 1'));
    expect(at('#### Wave 2')).toBeLessThan(at('#### Policy findings'));
    expect(at('#### Policy findings')).toBeLessThan(at('```mermaid'));
    expect(at('```mermaid')).toBeLessThan(at('#### Details'));
    // errors first, then denials, then destructive changes
    const order = [...md.matchAll(/<details><summary>(\S+) <code>([^<]+)<\/code>/g)].map((m) => m[2]);
    expect(order.slice(0, 4)).toEqual([
      'aws/assistant/prod',
      'aws/search/prod',
      'aws/assistant/dev',
      'aws/platform/dev/cluster',
    ]);
  });

  it('shows each result kind with its symbol and counts', () => {
    const md = renderPlanReport(all, OPTS);
    // the Result and Policy cells of the table row for team / env / stack
    const cells = (team: string, env: string, stack: string) => {
      const rows = md
        .split('\n')
        .filter((l) => l.startsWith('| <code>'))
        .map((l) => l.split(' | ').map((c) => c.replace(/^\| /, '')))
        .filter(
          ([t, e, s]) =>
            t === `<code>${team}</code>` && e === `<code>${env}</code>` && s === `<code>${stack}</code>`,
        );
      expect(rows, `one table row for ${team}/${env}/${stack}`).toHaveLength(1);
      const [, , , result, policy] = rows[0] as string[];
      return { result, policy };
    };
    expect(cells('platform', 'staging', 'network')).toEqual({
      result: '✅ <code>no changes</code>',
      policy: '✅',
    });
    expect(cells('platform', 'dev', 'network')).toEqual({
      result: '🔴 <code>+0 &#126;0 -2</code>',
      policy: '✅',
    });
    expect(cells('search', 'dev', 'aws/search/dev')).toEqual({
      result: '🟡 <code>+7 &#126;0 -0</code>',
      policy: '✅',
    });
    expect(cells('platform', 'dev', 'cluster')).toEqual({
      result: '🔴 <code>+0 &#126;0 -0 ±3</code>',
      policy: '✅',
    });
    expect(cells('search', 'prod', 'aws/search/prod')).toEqual({
      result: '⛔ <code>denied · +23 &#126;0 -1</code>',
      policy: '⛔ 11 ⚠️ 1',
    });
    expect(cells('assistant', 'prod', 'aws/assistant/prod')).toEqual({
      result: '❌ <code>error</code>',
      policy: '✅',
    });
  });

  it('renders the diff from the plan model with sensitive values masked', () => {
    const md = renderPlanReport([byScenario('sensitive')], OPTS);
    for (const secret of ['hunter2', 'tok-old', 'tok-new', 's3cr3t-value', 'b-secret'])
      expect(md).not.toContain(secret);
    expect(md).toContain('+     input.secret = (sensitive)');
    expect(md).toContain('-     output = {"host":"db.internal","password":"(sensitive)","user":"app"}');
  });

  it('shows moves, imports and drift in the diff', () => {
    const moved = renderPlanReport([byScenario('moved-imported')], OPTS);
    expect(moved).toContain('  terraform_data.search_index  # moved from terraform_data.old_name');
    expect(moved).toContain('  terraform_data.adopted  # import id "existing-object-123"');
    const drift = renderPlanReport([byScenario('drift')], OPTS);
    expect(drift).toContain('! time_rotating.key  # deleted outside OpenTofu');
    expect(drift).toContain('· drift 1 ·');
  });

  it('shows why a plan failed, inside a fence', () => {
    const md = renderPlanReport([byScenario('error')], OPTS);
    expect(md).toContain('**Plan failed**');
    expect(md).toContain('The input must be longer than 10 characters');
    expect(md).toContain('Resource precondition failed (<code>main.tf:7</code>)');
  });

  it('says so when nothing was planned', () => {
    expect(renderPlanReport([], OPTS)).toContain('No stacks were planned');
  });
});

describe('renderPlanReport: hostile plan content is inert', () => {
  const hostile = byScenario('hostile');

  it('keeps resource names with backticks, </details>, HTML, @mentions and #refs inside code', () => {
    const md = renderPlanReport([hostile], OPTS);
    const s = expectWellFormed(md);
    expect(s.details).toBe(1);
    // the names appear only inside the diff fence, which is longer than any backtick run
    expect(md).toContain('````diff\n');
    expect(md).toContain('+ terraform_data.hostile["</details><details open><summary>pwned"]  # create');
    expect(md).not.toMatch(/^<img/m);
    // the bidi override is replaced, not passed through
    expect(md).not.toContain('\u202e');
  });

  it('escapes the same text where it is not in a fence: tables, summaries, policy messages', () => {
    const address = hostile.model?.resources.map((r) => r.address) ?? [];
    const evil: StackResult = {
      ...hostile,
      status: 'denied',
      stack: { ...hostile.stack, name: '</details>`@acme/admins`' },
      policy: {
        findings: address.map((resource, i) => ({
          status: i % 2 ? 'warn' : 'deny',
          rule: `tags.required </details> #${i}`,
          resource,
          message: `${resource} needs tags; ping @acme/security-team about #123 <script>x</script> \`\`\``,
        })),
      },
      error: 'Error: </details>\n```\n@acme/admins #5',
    };
    const md = renderPlanReport([evil], OPTS);
    expectWellFormed(md);
    expect(md).not.toContain('<script>');
    expect(md).toContain('ping @\u200dacme/security-team about #\u200d123');
  });

  it('survives hostile text in every field at once (structure, no live mentions)', () => {
    const many = Array.from({ length: 40 }, (_, k) => ({
      ...hostile,
      stack: { ...hostile.stack, id: `gcp/assistant/dev/x${k}`, name: `@team/${k} #${k}` },
      wave: k % 3,
    }));
    expectWellFormed(renderPlanReport(many, { ...OPTS, budget: 8_000 }));
  });
});

describe('renderPlanReport: size budget', () => {
  const big = scaledResults(60, 10_000);

  it('fits 10,000 resources across 60 stacks into one comment, summaries first', () => {
    const md = renderPlanReport(big, OPTS);
    // GitHub refuses a comment body over 65,536 characters; the renderer keeps 256 spare
    expect(md.length).toBeLessThanOrEqual(65_536 - 256);
    expect(md.length).toBeGreaterThan(0.9 * (65_536 - 256)); // the room is used, not wasted
    const s = expectWellFormed(md);
    expect(s.details).toBe(61);
    // every stack has its table row, and the cut is said out loud
    for (const r of big) expect(md).toContain(`<code>${r.stack.name}</code>`);
    expect(md).toMatch(/# … \d+ more resources( and \d+ outputs)? in the job summary/);
    expect(md).toContain(
      "Some details were left out to fit GitHub's size limit; all of them are in the job summary.",
    );
    console.log(`10k resources / 60 stacks: comment ${md.length} characters`);
  });

  it('is deterministic', () => {
    expect(renderPlanReport(big, OPTS)).toBe(renderPlanReport(big, OPTS));
  });

  it('fits the job summary (1 MiB, bytes) with a larger budget and the same structure', () => {
    const md = renderPlanReport(big, {
      ...OPTS,
      budget: SUMMARY_BUDGET,
      measure: bytes,
      marker: '',
      elsewhere: '',
    });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_BUDGET);
    expectWellFormed(md);
    expect(md).not.toContain('in the job summary');
  });

  it('refuses a budget below the 500 it promises to fit (any budget from 500 up: the property test)', () => {
    expect(() => renderPlanReport(big.slice(0, 3), { ...OPTS, budget: 499 })).toThrow(
      'renderPlanReport: a budget of 499 is below the minimum of 500',
    );
    const md = renderPlanReport(big.slice(0, 12), { ...OPTS, budget: 500 });
    expect(md.length).toBeLessThanOrEqual(500);
    expectWellFormed(md);
  });

  it('names the per-resource line cap, not the size limit, when only that cut something', () => {
    const wide = buildPlanModel(
      readFileSync(join(import.meta.dirname, '..', 'plan', 'testdata', 'wide.show.json'), 'utf8'),
    );
    // gen.sh wide: one real update changing 60 keys of one object (61 attribute lines)
    expect(wide.resources[0]?.attributes).toHaveLength(61);
    const stack: StackResult = { ...byScenario('update'), model: wide };
    const md = renderPlanReport([stack], OPTS);
    expect(md.length).toBeLessThan(65_536 - 256);
    expect(md).toContain('      # … 21 more attributes');
    expect(md).toContain(
      '<sub>Resources with more than 40 changed attributes show their first 40 here; all of them are in the job summary.</sub>',
    );
    expect(md).not.toContain('size limit');
    // the same plan in too small a comment: now the size is a cause too, and both are named
    const small = renderPlanReport([stack], { ...OPTS, budget: 1_500 });
    expect(small).toContain(
      "Some details were left out to fit GitHub's size limit; all of them are in the job summary.",
    );
    expect(small.length).toBeLessThanOrEqual(1_500);
    // the job summary shows 200 lines per resource: nothing is cut there
    const summary = renderPlanReport([stack], { ...OPTS, marker: '', elsewhere: '', attributeLines: 200 });
    expect(summary).toContain('+     input.key_59 = "v2"');
    expect(summary).not.toMatch(/left out|show their first/);
  });

  it('cuts a single huge stack at resource boundaries, with the count of what is left out', () => {
    const model = buildPlanModel(
      readFileSync(join(import.meta.dirname, '..', 'plan', 'testdata', 'create.show.json'), 'utf8'),
    );
    const huge: StackResult = {
      ...byScenario('create'),
      model: { ...model, resources: Array(3000).fill(model.resources).flat() },
    };
    const md = renderPlanReport([huge], OPTS);
    expect(md.length).toBeLessThanOrEqual(65_536 - 256);
    expectWellFormed(md);
    const shown = (md.match(/^\+ terraform_data|^\+ time_|^<= data/gm) ?? []).length;
    const [, left] = /# … (\d+) more resources/.exec(md) ?? [];
    expect(shown + Number(left)).toBe(huge.model?.resources.length);
  });
});

describe('renderPlanReport: actions beyond create/update/delete', () => {
  const forgetModel = () =>
    buildPlanModel(
      readFileSync(join(import.meta.dirname, '..', 'plan', 'testdata', 'forget.show.json'), 'utf8'),
    );
  const only = (model: StackResult['model']): StackResult => ({
    ...byScenario('update'),
    status: 'changes',
    model,
    policy: { findings: [] },
  });

  it('counts a forget in the headline totals and the table, and shows it in the diff', () => {
    const md = renderPlanReport([only(forgetModel())], OPTS);
    expect(md).toContain('1 stack planned · 1 with changes');
    expect(md).toContain('+0 &#126;0 -0 forget 1 in total');
    expect(md).not.toContain('+0 &#126;0 -0 in total');
    expect(md).toContain('. terraform_data.handed_over  # forget (removed from state, not destroyed)');
  });

  it('shows an action it does not know, in the engine’s words, instead of dropping it', () => {
    const doc = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'plan', 'testdata', 'forget.show.json'), 'utf8'),
    );
    const rc = doc.resource_changes.find(
      (r: { address: string }) => r.address === 'terraform_data.handed_over',
    );
    rc.change.actions = ['frobnicate'];
    const md = renderPlanReport([only(buildPlanModel(doc))], OPTS);
    expect(md).toContain('+0 &#126;0 -0 other: frobnicate 1 in total');
    expect(md).toContain('? terraform_data.handed_over  # other: frobnicate');
  });
});

describe('allocate', () => {
  it('gives small sections all they need and splits the rest fairly', () => {
    expect(allocate([100, 5_000, 9_000], [50, 50, 50], 6_150)).toEqual([100, 3_025, 3_025]);
  });
  it('keeps the rest minimal when there is no useful room for everyone', () => {
    const alloc = allocate([9_000, 9_000, 9_000, 9_000], [50, 50, 50, 50], 3_200);
    expect(alloc.filter((a) => a > 50)).toHaveLength(2);
    expect(alloc.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3_200);
  });
});
