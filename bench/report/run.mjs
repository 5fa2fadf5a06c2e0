#!/usr/bin/env node
// Report rendering benchmark: build the plan model of a 10,000-resource plan and render the
// PR comment (65,536 characters) and the job summary (1 MiB) from it, median of several runs.
// Not a test: it prints numbers, it does not pass or fail. Target: rendering < 1 s.
//
//   node bench/report/run.mjs [--resources 10000] [--stacks 60] [--runs 7]
//
// The code is bundled with esbuild first, as the action ships it. The plans are scaled up
// from the real `tofu show -json` fixtures (src/report/testdata/scale.ts): every resource
// change is a real record (create, update, replace, delete, sensitive, hostile names) under
// a new address.
import { mkdirSync } from 'node:fs';
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
const RESOURCES = opt('resources', 10_000);
const STACKS = opt('stacks', 60);
const RUNS = opt('runs', 7);

const work = join(root, 'bench', '.work');
mkdirSync(work, { recursive: true });
const outfile = join(work, 'report-bench.mjs');
await build({
  stdin: {
    contents: `
      export { buildPlanModel } from './src/plan/model.ts';
      export { renderPlanReport } from './src/report/plan-report.ts';
      export { bytes, SUMMARY_BUDGET } from './src/report/budget.ts';
      export { scaledResults, scaledShowJson, useSourceDir } from './src/report/testdata/scale.ts';
    `,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  logLevel: 'warning',
});
const m = await import(pathToFileURL(outfile).href);
m.useSourceDir(join(root, 'src'));

function median(fn) {
  const times = [];
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    out = fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], out };
}

const showJson = m.scaledShowJson(RESOURCES);
const model = median(() => m.buildPlanModel(showJson));
const one = [{ ...m.scaledResults(1, 1)[0], model: model.out, status: 'changes' }];
const many = m.scaledResults(STACKS, RESOURCES);
const rows = [
  [
    `buildPlanModel, ${RESOURCES.toLocaleString('en-US')} resources`,
    model.ms,
    `${model.out.resources.length} resources`,
  ],
];
for (const [label, results, opts] of [
  [`comment, 1 stack × ${RESOURCES.toLocaleString('en-US')}`, one, {}],
  [`comment, ${STACKS} stacks, ${RESOURCES.toLocaleString('en-US')} in total`, many, {}],
  [
    `job summary, ${STACKS} stacks`,
    many,
    { budget: m.SUMMARY_BUDGET, measure: m.bytes, marker: '', elsewhere: '' },
  ],
]) {
  const r = median(() => m.renderPlanReport(results, opts));
  rows.push([label, r.ms, `${r.out.length.toLocaleString('en-US')} characters`]);
}
console.log(`node ${process.version}, ${RUNS} runs each, median`);
console.log('| step | median | output |\n| --- | --- | --- |');
for (const [label, ms, out] of rows) console.log(`| ${label} | ${Math.round(ms)} ms | ${out} |`);
