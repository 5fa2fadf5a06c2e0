// Regenerate the stack results the report tests, goldens and docs render:
//
//   source ~/.cache/idlc/tools/env.sh && npx vite-node src/report/testdata/gen.ts
//
// Every plan is a real `tofu show -json` from src/plan/testdata (gen.sh) turned into a model
// by buildPlanModel; the denied stack's findings come from the real OPA policies in
// policy/terraform evaluated (with the real `opa`) on policy/terraform/testdata/s3/plan.json.
// Stacks, waves and links are the ones this repository's registry and detect would give.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRegistry } from '../../config/load.ts';
import { discoverStacks } from '../../discovery/stacks.ts';
import { buildPlanModel } from '../../plan/model.ts';
import { evaluatePlanPolicy } from '../../policy/evaluate.ts';
import { STACK_RESULT_SCHEMA, type StackResultInput, statusOf } from '../results.ts';

const here = import.meta.dirname;
const root = join(here, '..', '..', '..');
const planData = join(root, 'src', 'plan', 'testdata');
const out = join(here, 'results');
const RUN = 'https://github.com/acme/platform/actions/runs/4242';

const scenarios: { scenario: string; stack: string; wave: number; job: number; diagnostics?: string }[] = [
  { scenario: 'delete', stack: 'aws/platform/dev/network', wave: 0, job: 11 },
  { scenario: 'drift', stack: 'aws/platform/prod/network', wave: 0, job: 12 },
  { scenario: 'noop', stack: 'aws/platform/staging/network', wave: 0, job: 13 },
  { scenario: 'hostile', stack: 'gcp/assistant/dev', wave: 0, job: 14 },
  { scenario: 'replace', stack: 'aws/platform/dev/cluster', wave: 1, job: 21 },
  { scenario: 'create', stack: 'aws/search/dev', wave: 2, job: 31 },
  { scenario: 'update', stack: 'aws/search/staging', wave: 2, job: 32 },
  { scenario: 'moved-imported', stack: 'aws/assistant/dev', wave: 2, job: 33 },
  { scenario: 'sensitive', stack: 'aws/assistant/staging', wave: 2, job: 34 },
  { scenario: 'error', stack: 'aws/assistant/prod', wave: 2, job: 35, diagnostics: 'error.stderr.txt' },
];

const loaded = await loadRegistry(root);
const stacks = await discoverStacks(loaded);
const byId = new Map(stacks.map((s) => [s.id, s]));
const ref = (id: string) => {
  const s = byId.get(id);
  if (!s) throw new Error(`gen.ts: no stack ${id} in this repository`);
  return { id: s.id, team: s.team, env: s.env, name: s.name, dir: s.dir };
};
const links = (job: number) => ({
  run: `${RUN}/job/${job}`,
  summary: `${RUN}#summary-${job}`,
});

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const write = (name: string, r: StackResultInput) => {
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(r, null, 2)}\n`);
  console.log(`wrote results/${name}.json (${r.stack.id}: ${r.status})`);
};

for (const s of scenarios) {
  const text = readFileSync(join(planData, `${s.scenario}.show.json`), 'utf8');
  const diagnostics = s.diagnostics ? readFileSync(join(planData, s.diagnostics), 'utf8') : undefined;
  const model = buildPlanModel(text, diagnostics ? { diagnostics } : {});
  const status = statusOf(model, []);
  write(s.scenario, {
    schema: STACK_RESULT_SCHEMA,
    stack: ref(s.stack),
    wave: s.wave,
    status,
    model,
    policy: { findings: [] },
    ...(status === 'error' && diagnostics ? { error: diagnostics.trim() } : {}),
    links: links(s.job),
    ...(status === 'error' ? {} : { bundleSha256: createHash('sha256').update(text).digest('hex') }),
  });
}

// A stack denied by policy: the real policies on a plan that breaks them.
const s3 = readFileSync(join(root, 'policy', 'terraform', 'testdata', 's3', 'plan.json'), 'utf8');
const prod = byId.get('aws/search/prod');
if (!prod) throw new Error('gen.ts: no aws/search/prod stack');
const policy = await evaluatePlanPolicy({
  root,
  planJson: s3,
  stack: prod,
  registry: loaded.registry,
  now: new Date('2026-11-25T12:00:00Z'),
});
const model = buildPlanModel(s3);
write('denied', {
  schema: STACK_RESULT_SCHEMA,
  stack: ref('aws/search/prod'),
  wave: 2,
  status: statusOf(model, policy.findings),
  model,
  policy: { findings: policy.findings.map(({ waiver, ...f }) => (waiver ? { ...f, waiver } : f)) },
  links: links(36),
  bundleSha256: createHash('sha256').update(s3).digest('hex'),
});
