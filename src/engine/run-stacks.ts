import { type LoadedRegistry, loadRegistry } from '../config/load.ts';
import { discoverStacks, type Stack } from '../discovery/stacks.ts';
import { pluginCacheKey } from './plugin-cache.ts';
import type { ApplyResultFile, PlanResultFile } from './result-file.ts';
import { writeResultFile } from './result-file.ts';
import { parseStackInput, resolveRequestedStacks, type StackRequest } from './stack-input.ts';

/** The provider cache service (@actions/cache at the edge; absent where it is unavailable). */
export interface CacheService {
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  save(paths: string[], key: string): Promise<void>;
}

/** What the plan and apply actions share: where things are, and the runner's services. */
export interface StackJobInput {
  /** The checkout under review (stacks, modules, tfvars, lock files). */
  root: string;
  /** The default branch's checkout (registry, policies, waivers); `root` when the same. */
  trustedRoot: string;
  stack: string;
  resultDir: string;
  pluginCacheDir: string;
  warn: (message: string) => void;
  group: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  cache?: CacheService;
}

export interface StackJobOptions<R extends PlanResultFile | ApplyResultFile> {
  kind: 'plan' | 'apply';
  /** apply: later stacks of a job may depend on earlier ones, so stop at the first failure. */
  stopOnFailure: boolean;
  /** Save the provider cache after the run (plan jobs; apply only restores). */
  saveCache: boolean;
  /** One result per stack (plan), or one per merged PR applied to the stack (apply). */
  run(stack: Stack, request: StackRequest, loaded: LoadedRegistry): Promise<R[]>;
  /** The result file of a stack that was not attempted because an earlier one failed. */
  skipped(stack: Stack, request: StackRequest): R;
  failed(result: R): string | undefined;
}

export interface StackJobOutput<R> {
  loaded: LoadedRegistry;
  results: { stack: Stack; request: StackRequest; result: R; file: string }[];
  failures: string[];
}

/**
 * The one loop behind the plan and apply actions: registry from the trusted root, the stacks
 * the job was given (checked against the registry), the provider cache, one group per stack,
 * one result file per stack, failures collected for a single failure at the edge.
 */
export async function runStackJob<R extends PlanResultFile | ApplyResultFile>(
  input: StackJobInput,
  o: StackJobOptions<R>,
): Promise<StackJobOutput<R>> {
  const loaded = await loadRegistry(input.root, undefined, { trustedRoot: input.trustedRoot });
  const requests = parseStackInput(input.stack);
  const stacks = resolveRequestedStacks(requests, await discoverStacks(loaded));
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
  const out: StackJobOutput<R> = { loaded, results: [], failures: [] };
  for (const [i, stack] of stacks.entries()) {
    const request = requests[i] as StackRequest;
    const halted = o.stopOnFailure && out.failures.length > 0;
    const results = halted
      ? [o.skipped(stack, request)]
      : await input.group(`${o.kind} ${stack.id}`, () => o.run(stack, request, loaded));
    for (const [n, result] of results.entries()) {
      const failure = o.failed(result);
      if (failure && !halted) out.failures.push(`${stack.id}: ${failure}`);
      const suffix = results.length > 1 ? `${n + 1}` : '';
      const file = await writeResultFile(input.resultDir, o.kind, stack.id, result, suffix);
      out.results.push({ stack, request, result, file });
    }
  }
  if (o.saveCache && input.cache && cacheHit !== cacheKey.key) {
    await input.cache.save([input.pluginCacheDir], cacheKey.key).catch((err: Error) => {
      input.warn(`provider cache not saved (${err.message}); the next run downloads providers again`);
    });
  }
  return out;
}
