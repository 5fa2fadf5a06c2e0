import type { IdTokenFetcher } from '../../../src/auth/id-token.ts';
import { openFederatedSession } from '../../../src/auth/session.ts';
import { loadRegistry } from '../../../src/config/load.ts';
import type { Registry } from '../../../src/config/schema.ts';
import { discoverStacks, type Stack } from '../../../src/discovery/stacks.ts';
import type { SandboxEndpoint } from '../../../src/engine/backend-config.ts';
import { planStack } from '../../../src/engine/plan-stack.ts';
import { pluginCacheKey } from '../../../src/engine/plugin-cache.ts';
import type { PolicyVerdict } from '../../../src/engine/provenance.ts';
import {
  errorForReport,
  STACK_RESULT_SCHEMA,
  type StackResultFile,
  writeStackResult,
} from '../../../src/engine/result-file.ts';
import { parseStackInput, resolveRequestedStacks } from '../../../src/engine/stack-input.ts';

/** The provider cache service (@actions/cache at the edge; absent where it is unavailable). */
export interface CacheService {
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  save(paths: string[], key: string): Promise<void>;
}

/** Everything the plan action needs, read by main.ts and nothing else. */
export interface PlanActionInput {
  root: string;
  stack: string;
  headSha: string;
  runId: string;
  resultDir: string;
  tempDir: string;
  pluginCacheDir: string;
  lockTimeout: string;
  sandbox?: SandboxEndpoint;
  env: NodeJS.ProcessEnv;
  idToken: IdTokenFetcher | undefined;
  mask: (secret: string) => void;
  log: (line: string) => void;
  warn: (message: string) => void;
  group: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  cache?: CacheService;
  /** Plan policy (OPA) on the raw plan JSON; its verdict goes into the bundle's provenance. */
  evaluatePolicy?: (planJson: unknown, stack: Stack, registry: Registry) => Promise<PolicyVerdict>;
}

export interface PlanActionOutput {
  results: StackResultFile[];
  outputs: Record<string, string>;
  /** Stacks that failed, with their messages: the edge fails the step once, listing them. */
  failures: string[];
}

function resultOf(stack: Stack, headSha: string): Omit<StackResultFile, 'status'> {
  return {
    schema: STACK_RESULT_SCHEMA,
    kind: 'plan',
    stackId: stack.id,
    dir: stack.dir,
    team: stack.team,
    env: stack.env,
    headSha,
    warnings: [],
  };
}

/** Plan each requested stack (independently: one failure does not hide the others' plans). */
export async function runPlanAction(input: PlanActionInput): Promise<PlanActionOutput> {
  const loaded = await loadRegistry(input.root);
  const stacks = resolveRequestedStacks(parseStackInput(input.stack), await discoverStacks(loaded));

  const cacheKey = await pluginCacheKey({
    root: loaded.root,
    stackDirs: stacks.map((s) => s.dir),
    engine: loaded.registry.engine,
  });
  let cacheHit: string | undefined;
  if (input.cache) {
    cacheHit = await input.cache
      .restore([input.pluginCacheDir], cacheKey.key, cacheKey.restoreKeys)
      .catch((err: Error) => {
        input.warn(`provider cache not restored (${err.message}); init downloads providers`);
        return undefined;
      });
  }

  const results: StackResultFile[] = [];
  const failures: string[] = [];
  for (const stack of stacks) {
    const base = resultOf(stack, input.headSha);
    const result = await input.group(`plan ${stack.id}`, async (): Promise<StackResultFile> => {
      try {
        const r = await planStack({
          root: loaded.root,
          loaded,
          stack,
          env: input.env,
          sandbox: input.sandbox,
          pluginCacheDir: input.pluginCacheDir,
          tempDir: input.tempDir,
          lockTimeout: input.lockTimeout,
          log: input.log,
          headSha: input.headSha,
          runId: input.runId,
          storeBundle: true,
          evaluatePolicy: input.evaluatePolicy
            ? (planJson) => input.evaluatePolicy!(planJson, stack, loaded.registry)
            : undefined,
          openSession: () =>
            openFederatedSession({
              stackId: stack.id,
              target: stack.target,
              phase: 'plan',
              runId: input.runId,
              idToken: input.idToken,
              mask: input.mask,
              stsEndpoint: input.sandbox?.sts ?? input.sandbox?.url,
              tempDir: input.tempDir,
            }),
        });
        for (const w of r.warnings) input.warn(`${stack.id}: ${w}`);
        input.log(
          `${stack.id}: ${r.hasChanges ? 'changes' : 'no changes'}${r.denied ? ', DENIED by policy' : ''}; ` +
            `bundle ${r.bundle?.sha256} (${r.timings.totalMs} ms, ${r.timings.overheadMs} ms outside the engine)`,
        );
        return {
          ...base,
          status: r.hasChanges ? 'planned' : 'unchanged',
          hasChanges: r.hasChanges,
          denied: r.denied,
          policy: r.policy,
          model: r.model,
          bundle: r.bundle
            ? { sha256: r.bundle.sha256, uri: `s3://${r.bundle.bucket}/${r.bundle.key}` }
            : undefined,
          principal: r.principal,
          warnings: r.warnings,
          timings: r.timings,
        };
      } catch (err) {
        const error = errorForReport(err);
        failures.push(`${stack.id}: ${error.message}${error.fix ? `\n  fix: ${error.fix}` : ''}`);
        return { ...base, status: 'failed', error };
      }
    });
    await writeStackResult(input.resultDir, result);
    results.push(result);
  }

  if (input.cache && cacheHit !== cacheKey.key) {
    await input.cache.save([input.pluginCacheDir], cacheKey.key).catch((err: Error) => {
      input.warn(`provider cache not saved (${err.message}); the next run downloads providers again`);
    });
  }

  const shas = Object.fromEntries(
    results.filter((r) => r.bundle).map((r) => [r.stackId, r.bundle?.sha256 ?? '']),
  );
  return {
    results,
    failures,
    outputs: {
      'bundle-sha256': results.length === 1 ? (results[0]?.bundle?.sha256 ?? '') : JSON.stringify(shas),
      'has-changes': String(results.some((r) => r.hasChanges)),
      denied: String(results.some((r) => r.denied)),
      'result-dir': input.resultDir,
      results: JSON.stringify(
        results.map((r) => ({
          id: r.stackId,
          status: r.status,
          has_changes: r.hasChanges ?? false,
          denied: r.denied ?? false,
          bundle_sha256: r.bundle?.sha256 ?? '',
        })),
      ),
    },
  };
}
