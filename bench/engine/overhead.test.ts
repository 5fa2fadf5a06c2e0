import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlanStackResult, planStack } from '../../src/engine/plan-stack.ts';
import { evaluatePlanPolicy, planPolicyVerdict } from '../../src/policy/evaluate.ts';
import { type EngineSandbox, startEngineSandbox } from '../../test/support/engine-sandbox.ts';

/**
 * What idlc adds to a stack's plan beyond the engine's own time: the full plan path (lint,
 * pin, content hash, OIDC → STS → account guard, model, policy, bundle → S3) minus the summed
 * wall time of the tofu child processes. Printed for docs/engine.md; the bound only catches
 * a regression by an order of magnitude on a shared 2-core machine.
 */
const RUNS = 5;
let sb: EngineSandbox;

beforeAll(async () => {
  sb = await startEngineSandbox();
  await cp(join(import.meta.dirname, '..', '..', 'policy'), join(sb.root, 'policy'), { recursive: true });
});
afterAll(async () => {
  await sb?.stop();
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function measure(policy: boolean): Promise<PlanStackResult[]> {
  const out: PlanStackResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await sb.context('aws/search/dev');
    out.push(
      await planStack({
        ...ctx,
        headSha: `${i}`.repeat(40),
        runId: `bench-${i}`,
        storeBundle: true,
        openSession: () => sb.session(ctx.stack, 'plan', `bench-${i}`),
        evaluatePolicy: policy
          ? async (planJson) =>
              planPolicyVerdict(
                await evaluatePlanPolicy({
                  root: sb.root,
                  planJson,
                  stack: ctx.stack,
                  registry: ctx.loaded.registry,
                }),
              )
          : undefined,
      }),
    );
  }
  return out;
}

describe('per-stack overhead of the toolkit', () => {
  it('is measured with and without the OPA policy step', async () => {
    await measure(false); // warm: provider cache, HCL wasm, SDK clients
    const report: Record<string, unknown> = {};
    for (const policy of [false, true]) {
      const runs = await measure(policy);
      const phases: Record<string, number> = {};
      for (const k of Object.keys(runs[0]?.timings.phases ?? {})) {
        phases[k] = median(runs.map((r) => r.timings.phases?.[k] ?? 0));
      }
      report[policy ? 'with policy' : 'without policy'] = {
        totalMs: median(runs.map((r) => r.timings.totalMs)),
        engineMs: median(runs.map((r) => r.timings.engineMs)),
        overheadMs: median(runs.map((r) => r.timings.overheadMs)),
        commands: Object.fromEntries(
          (runs[0]?.timings.commands ?? []).map((c, i) => [
            c.command,
            median(runs.map((r) => r.timings.commands[i]?.ms ?? 0)),
          ]),
        ),
        phases,
      };
      expect(median(runs.map((r) => r.timings.overheadMs))).toBeLessThan(5000);
    }
    console.log(`engine overhead (median of ${RUNS}):\n${JSON.stringify(report, null, 2)}`);
  });
});
