import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CloudSession } from '../auth/session.ts';
import { buildPlanModel, type PlanModel } from '../plan/model.ts';
import { packBundle } from './bundle.ts';
import { type BundleRef, type BundleStore, bundleStoreFor } from './bundle-store.ts';
import {
  type PolicyVerdict,
  PROVENANCE_SCHEMA,
  type Provenance,
  registryEntryHash,
  sha256,
  stackContent,
} from './provenance.ts';
import type { Timing } from './runner.ts';
import { prepareStackRun, type StackRunContext } from './stack-run.ts';

export interface PlanStackOptions extends StackRunContext {
  /** The PR head commit the plan is for (the bundle is stored under it). */
  headSha: string;
  runId: string;
  /** Opens credentials after the credential-free checks pass (CI: plan role; CLI: your own). */
  openSession: () => Promise<CloudSession>;
  /** Policy on the raw plan JSON (src/policy's evaluatePlanPolicy at the edge); absent: not evaluated. */
  evaluatePolicy?: (showJson: unknown, model: PlanModel) => Promise<PolicyVerdict>;
  /** Store the bundle in the team bucket (CI). The CLI keeps it local. */
  storeBundle: boolean;
  /** Copy the saved plan here (CLI `idlc apply` from a laptop). */
  keepPlanFile?: string;
  /** false: plan without taking the state lock (read-only laptop plans). */
  lock?: boolean;
  now?: () => Date;
}

export interface RunTimings {
  totalMs: number;
  /** Sum of the engine child processes' wall time. */
  engineMs: number;
  /** What the toolkit adds: totalMs - engineMs (auth, hashing, S3, bundle, process spawn). */
  overheadMs: number;
  commands: Timing[];
  /** Toolkit steps outside the engine, wall time (lint+pin check, content hash, credentials, policy, bundle). */
  phases?: Record<string, number>;
}

export interface PlanStackResult {
  stackId: string;
  dir: string;
  team: string;
  env: string;
  headSha: string;
  hasChanges: boolean;
  denied: boolean;
  policy: PolicyVerdict;
  /** The redacted model: the only part of the plan that may leave the team's account. */
  model: PlanModel;
  provenance: Provenance;
  bundle?: BundleRef & { bytes: number };
  principal: string;
  warnings: string[];
  timings: RunTimings;
}

export function timingsOf(started: number, commands: Timing[], phases?: Record<string, number>): RunTimings {
  const totalMs = performance.now() - started;
  const engineMs = commands.reduce((a, t) => a + t.ms, 0);
  return {
    totalMs: Math.round(totalMs),
    engineMs: Math.round(engineMs),
    overheadMs: Math.round(totalMs - engineMs),
    commands: commands.map((c) => ({ command: c.command, ms: Math.round(c.ms) })),
    ...(phases
      ? { phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])) }
      : {}),
  };
}

/** Wall time of named steps, for the overhead breakdown. */
function phaseClock() {
  const phases: Record<string, number> = {};
  return {
    phases,
    async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const t = performance.now();
      try {
        return await fn();
      } finally {
        phases[name] = (phases[name] ?? 0) + performance.now() - t;
      }
    },
  };
}

/**
 * Plan one stack and produce its bundle: lint → version → content hash → credentials (account
 * guard) → init → plan -out → show -json → model → policy → provenance → bundle → team bucket.
 */
export async function planStack(o: PlanStackOptions): Promise<PlanStackResult> {
  const started = performance.now();
  const clock = phaseClock();
  const { stack } = o;
  const prepared = await clock.time('lint+version', () => prepareStackRun(o));
  let session: CloudSession | undefined;
  let store: BundleStore | undefined;
  try {
    // Hash before init: init may write .terraform.lock.hcl, apply hashes its checkout the same way.
    const content = await clock.time('content-hash', () => stackContent(o.root, stack.dir, o.listFiles));
    if (!content.files.some((f) => f.path === `${stack.dir}/.terraform.lock.hcl`)) {
      prepared.warnings.push(
        `${stack.dir}: no .terraform.lock.hcl is committed; provider versions are chosen at init time. ` +
          `Commit the lock file (${stack.engine.name} providers lock) so plan and apply use the same providers`,
      );
    }
    session = await clock.time('credentials', () => o.openSession());
    const opened = session;
    // Before the engine runs: a backend without a bundle store fails here, not after the plan.
    if (o.storeBundle)
      store = await bundleStoreFor(
        stack.target.state,
        { aws: opened.aws, gcpAccessToken: opened.gcpAccessToken },
        o.sandbox,
      );
    const runner = prepared.runner(session);
    await runner.init(prepared.backendArgs);
    const planFile = join(prepared.dir, 'plan.tfplan');
    const hasChanges = await runner.plan(planFile, { lock: o.lock });
    const shown = await runner.show(planFile);
    const model = await clock.time('model', async () => buildPlanModel(shown.json));
    const policy: PolicyVerdict = o.evaluatePolicy
      ? await clock.time('policy', () => o.evaluatePolicy!(shown.json, model))
      : { evaluated: false, denied: false, summary: 'no policy evaluated' };
    const planBytes = await readFile(planFile);
    if (o.keepPlanFile) await copyFile(planFile, o.keepPlanFile);
    const provenance: Provenance = {
      schema: PROVENANCE_SCHEMA,
      stackId: stack.id,
      stackDir: stack.dir,
      headSha: o.headSha,
      runId: o.runId,
      createdAt: (o.now?.() ?? new Date()).toISOString(),
      content,
      engine: { name: stack.engine.name, version: stack.engine.version },
      registryEntrySha256: registryEntryHash(o.loaded.registry, stack),
      policy,
      plan: { sha256: sha256(planBytes), jsonSha256: sha256(shown.text), hasChanges },
    };
    let bundle: PlanStackResult['bundle'];
    if (store) {
      const target = store;
      bundle = await clock.time('bundle', async () => {
        const packed = packBundle({ planFile: planBytes, planJson: shown.text, model, provenance });
        const ref = await target.put(stack.id, packed.bytes, packed.sha256);
        return { ...ref, bytes: packed.bytes.length };
      });
    }
    return {
      stackId: stack.id,
      dir: stack.dir,
      team: stack.team,
      env: stack.env,
      headSha: o.headSha,
      hasChanges,
      denied: policy.denied,
      policy,
      model,
      provenance,
      bundle,
      principal: session.principal,
      warnings: prepared.warnings,
      timings: timingsOf(started, [...prepared.preTimings, ...runner.timings], clock.phases),
    };
  } finally {
    store?.destroy();
    await session?.cleanup();
    // The plan file holds unmasked values: it leaves the runner only inside the bundle.
    await prepared.cleanup();
  }
}
