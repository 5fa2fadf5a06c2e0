// Large plans for the size tests and the benchmark, scaled up from the real fixtures: each
// resource change is a real record from src/plan/testdata (create, update, replace, delete,
// sensitive, hostile names) copied under a new address, so the shapes are tofu's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlanModel } from '../../plan/model.ts';
import type { StackResult } from '../results.ts';

// src/ of the repository (overridable: the benchmark bundles this file elsewhere)
let srcDir = join(import.meta.dirname ?? '.', '..', '..');
export function useSourceDir(dir: string): void {
  srcDir = dir;
  templates = undefined;
}
const planData = () => join(srcDir, 'plan', 'testdata');
const resultsDir = () => join(srcDir, 'report', 'testdata', 'results');

interface RawPlan {
  format_version: string;
  terraform_version: string;
  resource_changes: { address: string; name: string; index?: unknown; change: unknown }[];
  output_changes?: Record<string, unknown>;
}

const load = (name: string) => JSON.parse(readFileSync(join(planData(), `${name}.show.json`), 'utf8')) as RawPlan;

let templates: RawPlan['resource_changes'] | undefined;
function records(): RawPlan['resource_changes'] {
  templates ??= ['create', 'update', 'replace', 'delete', 'sensitive', 'hostile'].flatMap((n) =>
    load(n).resource_changes.filter((rc) => JSON.stringify((rc.change as { actions: string[] }).actions) !== '["no-op"]'),
  );
  return templates;
}

/** A `tofu show -json`-shaped document with `count` real change records under new addresses. */
export function scaledShowJson(count: number, seed = 0): RawPlan {
  const base = load('update');
  const pool = records();
  const changes = [];
  for (let i = 0; i < count; i++) {
    const t = structuredClone(pool[(i + seed) % pool.length] as RawPlan['resource_changes'][number]);
    // keep the real address (hostile keys included) and make it unique
    t.address = `${t.address.replace(/\[.*\]$/, '')}_${i}${t.address.match(/\[.*\]$/)?.[0] ?? ''}`;
    changes.push(t);
  }
  return {
    format_version: base.format_version,
    terraform_version: base.terraform_version,
    resource_changes: changes,
    output_changes: base.output_changes ?? {},
  };
}

/** `stacks` results holding `resources` changes in total, with denials and errors mixed in. */
export function scaledResults(stacks: number, resources: number): StackResult[] {
  const denied = JSON.parse(readFileSync(join(resultsDir(), 'denied.json'), 'utf8')) as StackResult;
  const error = JSON.parse(readFileSync(join(resultsDir(), 'error.json'), 'utf8')) as StackResult;
  const teams = ['search', 'assistant', 'platform', 'ranking', 'eval', 'data'];
  const envs = ['dev', 'staging', 'prod'];
  const out: StackResult[] = [];
  for (let k = 0; k < stacks; k++) {
    const per = Math.floor(resources / stacks) + (k < resources % stacks ? 1 : 0);
    const model = buildPlanModel(scaledShowJson(per, k));
    const team = teams[k % teams.length] as string;
    const env = envs[Math.floor(k / teams.length) % envs.length] as string;
    const name = `stack-${String(k).padStart(2, '0')}`;
    const isDenied = k % 13 === 5;
    const isError = k % 17 === 3;
    out.push({
      stack: { id: `aws/${team}/${env}/${name}`, team, env, name, dir: `idlc/aws/environments/${team}/${env}/${name}` },
      wave: k % 4,
      status: isError ? 'error' : isDenied ? 'denied' : 'changes',
      model,
      policy: { findings: isDenied ? (denied.policy?.findings ?? []) : [] },
      ...(isError ? { error: error.error } : {}),
      links: {
        run: `https://github.com/acme/platform/actions/runs/4242/job/${100 + k}`,
        summary: `https://github.com/acme/platform/actions/runs/4242#summary-${100 + k}`,
      },
      bundleSha256: 'f'.repeat(64),
    });
  }
  return out;
}
