#!/usr/bin/env node
// Policy benchmark: time evaluatePlanPolicy (temp input file + `opa eval` + waivers) and the
// bare `opa eval` on a generated plan of N resources (default 1,000), median of several runs.
// Not a test: it prints numbers, it does not pass or fail.
//
//   node bench/policy/run.mjs [--resources 1000] [--runs 7]
//
// The plan is built by policy/terraform/testdata/gen.mjs from the real tofu envelope: the
// fixture resources of every concern (S3 with companions, IAM, security groups, KMS, GPU
// instances, protected-env resources), repeated under distinct names and modules until N.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RESOURCES = opt('resources', 1000);
const RUNS = opt('runs', 7);

const { FIXTURES, buildPlan } = await import(
  pathToFileURL(join(root, 'policy/terraform/testdata/gen.mjs')).href
);

// Resources of every fixture, renamed per copy; each copy lives in its own module instance so
// configuration references stay within one copy.
const templates = ['tags', 's3', 'iam', 'network', 'kms', 'gpu', 'protected'].flatMap(
  (name) => FIXTURES[name].resources,
);
const resources = [];
for (let copy = 0; resources.length < RESOURCES; copy++) {
  for (const r of templates) {
    if (resources.length >= RESOURCES) break;
    if (r.mode === 'data' && r.readAtPlan) continue;
    // Bucket names are global: each copy gets its own, as real plans have.
    const args = Object.fromEntries(
      Object.entries(r.args).map(([k, v]) => [
        k,
        k === 'bucket' && typeof v === 'string' ? `${v}-c${copy}` : v,
      ]),
    );
    resources.push({ ...r, args, module: [[`copy${copy}`], ...(r.module ?? [])] });
  }
}
const plan = buildPlan({ context: FIXTURES.protected.context, resources });
const count = plan.resource_changes.length;

const work = mkdtempSync(join(tmpdir(), 'idlc-bench-policy-'));
try {
  // Bundle the TypeScript sources (dependencies included) so plain node can run them.
  const bundle = join(work, 'policy.mjs');
  await build({
    stdin: {
      contents:
        "export { evaluatePlanPolicy } from './src/policy/evaluate.ts';\nexport { loadRegistry } from './src/config/load.ts';\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const { evaluatePlanPolicy, loadRegistry } = await import(pathToFileURL(bundle).href);
  const { registry } = await loadRegistry(root);
  const stack = {
    id: 'aws/search/prod',
    cloud: 'aws',
    team: 'search',
    env: 'prod',
    name: '',
    dir: 'idlc/aws/environments/search/prod',
    engine: registry.engine,
    target: { protected: true, region: 'eu-central-1', accountId: '200000000003' },
  };
  const planText = JSON.stringify(plan);
  const inputFile = join(work, 'input.json');
  writeFileSync(
    inputFile,
    JSON.stringify({ plan, context: { team: 'search', env: 'prod', protected: true } }),
  );
  const toolsPath = [
    join(process.env.IDLC_TOOLS_DIR ?? join(process.env.HOME, '.cache/idlc/tools'), 'bin'),
    process.env.PATH,
  ].join(':');

  const time = async (fn) => {
    const t = performance.now();
    const out = await fn();
    return { ms: performance.now() - t, out };
  };
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };

  const full = [];
  const bare = [];
  let findings = 0;
  // One warm-up run each (page cache, opa binary), not counted.
  for (let i = 0; i <= RUNS; i++) {
    const a = await time(() =>
      evaluatePlanPolicy({
        root,
        planJson: planText,
        stack,
        registry,
        now: new Date('2026-11-25T00:00:00Z'),
      }),
    );
    const b = await time(() =>
      execFileSync(
        'opa',
        [
          'eval',
          '--format',
          'json',
          '--data',
          join(root, 'policy/terraform'),
          '--ignore',
          'testdata',
          '--ignore',
          '*_test.rego',
          '--input',
          inputFile,
          'data.terraform.main.deny',
        ],
        { env: { ...process.env, PATH: toolsPath }, maxBuffer: 256 * 1024 * 1024 },
      ),
    );
    if (i === 0) {
      findings = a.out.findings.length;
      continue;
    }
    full.push(a.ms);
    bare.push(b.ms);
  }
  const fmt = (xs) =>
    `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  const opaVersion = execFileSync('opa', ['version'], { env: { ...process.env, PATH: toolsPath } })
    .toString()
    .split('\n')[0];
  console.log(
    `plan: ${count} resource changes, ${(planText.length / 1024 / 1024).toFixed(1)} MiB JSON; ${findings} findings`,
  );
  console.log(`${opaVersion}, node ${process.version}, ${RUNS} runs after one warm-up`);
  console.log(`evaluatePlanPolicy: ${fmt(full)}`);
  console.log(`opa eval (bare):    ${fmt(bare)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
