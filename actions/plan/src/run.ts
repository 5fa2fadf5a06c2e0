import type { IdTokenFetcher } from '../../../src/auth/id-token.ts';
import { openFederatedSession } from '../../../src/auth/session.ts';
import { loadRegistry } from '../../../src/config/load.ts';
import type { Registry } from '../../../src/config/schema.ts';
import { discoverStacks, type Stack } from '../../../src/discovery/stacks.ts';
import type { SandboxEndpoint } from '../../../src/engine/backend-config.ts';
import { planStack } from '../../../src/engine/plan-stack.ts';
import { pluginCacheKey } from '../../../src/engine/plugin-cache.ts';
import type { PolicyVerdict } from '../../../src/engine/provenance.ts';
import { type PlanResultFile, planResultFile, writeResultFile } from '../../../src/engine/result-file.ts';
import { parseStackInput, resolveRequestedStacks } from '../../../src/engine/stack-input.ts';
import type { Finding } from '../../../src/report/results.ts';

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
  /** Plan policy (OPA) on the raw plan JSON: the verdict goes into the bundle's provenance, the findings to the report. */
  evaluatePolicy?: (
    planJson: unknown,
    stack: Stack,
    registry: Registry,
  ) => Promise<{ verdict: PolicyVerdict; findings: Finding[] }>;
  /** Link to this workflow run, for the report. */
  runUrl?: string;
}

export interface PlanActionOutput {
  results: PlanResultFile[];
  outputs: Record<string, string>;
  /** Stacks that failed, with their messages: the edge fails the step once, listing them. */
  failures: string[];
}

/** Plan each requested stack (independently: one failure does not hide the others' plans). */
export async function runPlanAction(input: PlanActionInput): Promise<PlanActionOutput> {
  const loaded = await loadRegistry(input.root);
  const requests = parseStackInput(input.stack);
  const stacks = resolveRequestedStacks(requests, await discoverStacks(loaded));
  const waveOf = new Map(requests.map((r) => [r.id, Number(r.entry?.['wave'] ?? 0) || 0]));

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

  const results: PlanResultFile[] = [];
  const failures: string[] = [];
  for (const stack of stacks) {
    const base = { stack, wave: waveOf.get(stack.id) ?? 0, headSha: input.headSha, runUrl: input.runUrl };
    const result = await input.group(`plan ${stack.id}`, async (): Promise<PlanResultFile> => {
      let findings: Finding[] | undefined;
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
            ? async (planJson) => {
                const evaluated = await input.evaluatePolicy!(planJson, stack, loaded.registry);
                findings = evaluated.findings;
                return evaluated.verdict;
              }
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
        return planResultFile({ ...base, result: r, findings });
      } catch (err) {
        const file = planResultFile({ ...base, error: err });
        failures.push(`${stack.id}: ${file.error}`);
        return file;
      }
    });
    await writeResultFile(input.resultDir, 'plan', stack.id, result);
    results.push(result);
  }

  if (input.cache && cacheHit !== cacheKey.key) {
    await input.cache.save([input.pluginCacheDir], cacheKey.key).catch((err: Error) => {
      input.warn(`provider cache not saved (${err.message}); the next run downloads providers again`);
    });
  }

  const shas = Object.fromEntries(
    results.filter((r) => r.bundleSha256).map((r) => [r.stack.id, r.bundleSha256]),
  );
  return {
    results,
    failures,
    outputs: {
      'bundle-sha256': results.length === 1 ? (results[0]?.bundleSha256 ?? '') : JSON.stringify(shas),
      'has-changes': String(results.some((r) => r.model?.hasChanges)),
      denied: String(results.some((r) => r.status === 'denied')),
      'result-dir': input.resultDir,
      results: JSON.stringify(
        results.map((r) => ({
          id: r.stack.id,
          status: r.status,
          has_changes: r.model?.hasChanges ?? false,
          denied: r.status === 'denied',
          bundle_sha256: r.bundleSha256 ?? '',
        })),
      ),
    },
  };
}
