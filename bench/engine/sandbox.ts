/**
 * What the engine process sandbox costs per engine call: `tofu version` (the shortest real
 * engine call; every plan makes ≥ 4: version, init, plan, show) unsandboxed, under bwrap and
 * under unshare (root only), alternating so load affects all alike; medians, p90 and the ratio.
 * Also `tofu init` + `tofu plan` of a one-resource stack, where the sandbox's fixed cost meets
 * real work.
 *
 *   node node_modules/vite-node/vite-node.mjs bench/engine/sandbox.ts [--runs 30]
 *
 * Needs tofu from scripts/install-tools (and bwrap for the sandboxed column).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chooseSandbox,
  prepareEngineSandbox,
  probeSandbox,
  type SandboxMode,
} from '../../src/engine/process-sandbox.ts';
import { type ExecFn, engineEnv, spawnExec } from '../../src/engine/runner.ts';
import { cliConfigFile } from '../../src/toolchain/tools.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 30;
const work = await mkdtemp(join(tmpdir(), 'idlc-bench-sandbox-'));
const root = join(work, 'repo');
const cwd = join(root, 'stack');
await mkdir(cwd, { recursive: true });
await writeFile(
  join(cwd, 'main.tf'),
  'terraform {\n  backend "local" {}\n}\nresource "terraform_data" "x" {\n  input = "bench"\n}\n',
);

const probe = await probeSandbox(process.env);
const modes: SandboxMode[] = ['off'];
if (probe.bwrap) modes.push('bwrap');
if (probe.unshare) modes.push('unshare');

async function execFor(
  mode: SandboxMode,
  runDir: string,
): Promise<{ exec: ExecFn; env: Record<string, string> }> {
  await mkdir(runDir, { recursive: true });
  const sb = await prepareEngineSandbox({ mode, parentEnv: process.env, root, cwd, runDir });
  const env = engineEnv({
    parent: process.env,
    credentials: {},
    isolateCredentials: true,
    runDir,
    dataDir: join(runDir, 'data'),
    cliConfigFile: cliConfigFile(process.env),
  });
  return { exec: sb.exec(spawnExec, { ambient: false }), env };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

const version: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
const initPlan: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
const execs = new Map<SandboxMode, { exec: ExecFn; env: Record<string, string> }>();
for (const m of modes) execs.set(m, await execFor(m, join(work, `run-${m}`)));

for (let i = 0; i < runs; i++) {
  for (const m of modes) {
    const { exec, env } = execs.get(m)!;
    const r = await exec('tofu', ['version'], { cwd, env });
    if (r.code !== 0) throw new Error(`${m}: tofu version failed: ${r.stderr}`);
    version[m]?.push(r.ms);
  }
}
for (let i = 0; i < Math.max(5, Math.floor(runs / 3)); i++) {
  for (const m of modes) {
    const runDir = join(work, `plan-${m}-${i}`);
    const { exec, env } = await execFor(m, runDir);
    const init = await exec(
      'tofu',
      ['init', '-input=false', '-no-color', `-backend-config=path=${runDir}/s`],
      {
        cwd,
        env,
      },
    );
    const plan = await exec('tofu', ['plan', '-input=false', '-no-color', `-out=${runDir}/p`], { cwd, env });
    if (init.code !== 0 || plan.code !== 0)
      throw new Error(`${m}: init/plan failed: ${init.stderr}${plan.stderr}`);
    initPlan[m]?.push(init.ms + plan.ms);
  }
}

const fmt = (n: number) => `${n.toFixed(0)} ms`;
const base = quantile(version['off'] ?? [], 0.5);
const basePlan = quantile(initPlan['off'] ?? [], 0.5);
console.log(
  `load average ${loadavg()[0]?.toFixed(2)}; ${runs} runs each, alternating; bwrap: ${probe.bwrap ?? probe.bwrapProblem}`,
);
console.log('\n| sandbox | tofu version median | p90 | added per call | ratio | init+plan median | ratio |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const m of modes) {
  const med = quantile(version[m] ?? [], 0.5);
  const pm = quantile(initPlan[m] ?? [], 0.5);
  const label = m === 'off' ? 'none' : chooseSandbox(m, probe).kind;
  console.log(
    `| ${label} | ${fmt(med)} | ${fmt(quantile(version[m] ?? [], 0.9))} | ${fmt(med - base)} | ${(med / base).toFixed(2)} | ${fmt(pm)} | ${(pm / basePlan).toFixed(2)} |`,
  );
}
await rm(work, { recursive: true, force: true });
