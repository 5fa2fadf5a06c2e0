/**
 * One engine job run as its own process, the way the plan and apply actions run on a runner:
 * this process's real environment is the runner's (ACTIONS_ID_TOKEN_REQUEST_*,
 * ACTIONS_RUNTIME_TOKEN, GITHUB_TOKEN, GITHUB_ENV, …), so what the engine could read from
 * /proc/<parent>/environ is exactly what a runner would expose. Started by
 * test/e2e/engine-sandbox.test.ts with `vite-node engine-job.ts '<job JSON>'`; prints one JSON
 * line with the result and every engine output line.
 */
import { openFederatedSession, type Phase } from '../../src/auth/session.ts';
import { loadRegistry } from '../../src/config/load.ts';
import { discoverStacks } from '../../src/discovery/stacks.ts';
import { applySavedPlan } from '../../src/engine/apply-stack.ts';
import type { SandboxEndpoint } from '../../src/engine/backend-config.ts';
import { planStack } from '../../src/engine/plan-stack.ts';

export interface EngineJob {
  phase: Phase;
  root: string;
  stackId: string;
  sandbox: SandboxEndpoint;
  pluginCacheDir: string;
  /** The plan file the plan phase keeps and the apply phase applies. */
  planFile: string;
  runId: string;
}

export interface EngineJobResult {
  ok: boolean;
  error?: string;
  warnings: string[];
  model?: unknown;
  logs: string[];
}

const logs: string[] = [];

async function main(): Promise<EngineJobResult> {
  const job = JSON.parse(process.argv[2] ?? '{}') as EngineJob;
  const env = process.env;
  // As core.getIDToken does: the runner's request URL and bearer token from this process's env.
  const idToken = async (audience: string) => {
    const res = await fetch(
      `${env['ACTIONS_ID_TOKEN_REQUEST_URL']}&audience=${encodeURIComponent(audience)}`,
      {
        headers: { authorization: `Bearer ${env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}` },
      },
    );
    return ((await res.json()) as { value: string }).value;
  };
  const loaded = await loadRegistry(job.root);
  const stack = (await discoverStacks(loaded)).find((s) => s.id === job.stackId);
  if (!stack) throw new Error(`no stack ${job.stackId}`);
  const ctx = {
    root: job.root,
    loaded,
    stack,
    env,
    sandbox: job.sandbox,
    pluginCacheDir: job.pluginCacheDir,
    tempDir: env['RUNNER_TEMP'],
    lockTimeout: '5s',
    log: (line: string) => logs.push(line),
    openSession: () =>
      openFederatedSession({
        stackId: stack.id,
        target: stack.target,
        phase: job.phase,
        runId: job.runId,
        idToken,
        mask: () => {},
        stsEndpoint: job.sandbox.sts,
        tempDir: env['RUNNER_TEMP'],
      }),
  };
  if (job.phase === 'plan') {
    const r = await planStack({
      ...ctx,
      headSha: 'f'.repeat(40),
      runId: job.runId,
      storeBundle: false,
      keepPlanFile: job.planFile,
    });
    return { ok: true, warnings: r.warnings, model: r.model, logs };
  }
  await applySavedPlan({ ...ctx, planFile: job.planFile });
  return { ok: true, warnings: [], logs };
}

main()
  .catch((err: unknown): EngineJobResult => ({ ok: false, error: String(err), warnings: [], logs }))
  .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
