import type { IdTokenFetcher } from '../../../src/auth/id-token.ts';
import { openFederatedSession } from '../../../src/auth/session.ts';
import { loadRegistry } from '../../../src/config/load.ts';
import { discoverStacks } from '../../../src/discovery/stacks.ts';
import { applyStack } from '../../../src/engine/apply-stack.ts';
import type { SandboxEndpoint } from '../../../src/engine/backend-config.ts';
import type { GitHubRequest } from '../../../src/engine/merge-pr.ts';
import { pluginCacheKey } from '../../../src/engine/plugin-cache.ts';
import {
  errorForReport,
  STACK_RESULT_SCHEMA,
  type StackResultFile,
  writeStackResult,
} from '../../../src/engine/result-file.ts';
import { parseStackInput, resolveRequestedStacks } from '../../../src/engine/stack-input.ts';

export interface ApplyActionInput {
  root: string;
  stack: string;
  mergeSha: string;
  runId: string;
  repo: { owner: string; repo: string };
  github: GitHubRequest;
  /** Published bundle hashes: one sha256, or a JSON object stack id -> sha256. */
  expectedBundleSha256: string;
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
  /** Restore the provider cache the plan jobs saved (apply never saves one). */
  restoreCache?: (paths: string[], key: string, restoreKeys: string[]) => Promise<unknown>;
}

function expectedFor(raw: string, stackId: string, count: number): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (text.startsWith('{')) return (JSON.parse(text) as Record<string, string>)[stackId];
  return count === 1 ? text : undefined;
}

/**
 * Apply each requested stack in order. Unlike plan, the first failure stops the job: later
 * stacks of a job may depend on earlier ones (waves are ordered).
 */
export async function runApplyAction(input: ApplyActionInput) {
  const loaded = await loadRegistry(input.root);
  const stacks = resolveRequestedStacks(parseStackInput(input.stack), await discoverStacks(loaded));
  if (input.restoreCache) {
    const { key, restoreKeys } = await pluginCacheKey({
      root: loaded.root,
      stackDirs: stacks.map((s) => s.dir),
      engine: loaded.registry.engine,
    });
    await input.restoreCache([input.pluginCacheDir], key, restoreKeys).catch((err: Error) => {
      input.warn(`provider cache not restored (${err.message}); init downloads providers`);
    });
  }
  const results: StackResultFile[] = [];
  const failures: string[] = [];
  for (const stack of stacks) {
    const base: Omit<StackResultFile, 'status'> = {
      schema: STACK_RESULT_SCHEMA,
      kind: 'apply',
      stackId: stack.id,
      dir: stack.dir,
      team: stack.team,
      env: stack.env,
      mergeSha: input.mergeSha,
      warnings: [],
    };
    const result = await input.group(`apply ${stack.id}`, async (): Promise<StackResultFile> => {
      try {
        const r = await applyStack({
          root: loaded.root,
          loaded,
          stack,
          env: input.env,
          sandbox: input.sandbox,
          pluginCacheDir: input.pluginCacheDir,
          tempDir: input.tempDir,
          lockTimeout: input.lockTimeout,
          log: input.log,
          mergeSha: input.mergeSha,
          runId: input.runId,
          github: input.github,
          repo: input.repo,
          expectedBundleSha256: expectedFor(input.expectedBundleSha256, stack.id, stacks.length),
          openSession: () =>
            openFederatedSession({
              stackId: stack.id,
              target: stack.target,
              phase: 'apply',
              runId: input.runId,
              idToken: input.idToken,
              mask: input.mask,
              stsEndpoint: input.sandbox?.sts ?? input.sandbox?.url,
              tempDir: input.tempDir,
            }),
        });
        for (const w of r.warnings) input.warn(w);
        input.log(
          `${stack.id}: ${r.applied ? 'applied' : 'nothing to apply'} the plan reviewed on #${r.pullRequest.number} ` +
            `(head ${r.headSha.slice(0, 12)}, bundle ${r.bundleSha256})`,
        );
        return {
          ...base,
          status: r.applied ? 'applied' : 'unchanged',
          headSha: r.headSha,
          pullRequest: r.pullRequest.number,
          bundle: { sha256: r.bundleSha256 },
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
    if (result.status === 'failed') break;
  }
  return {
    results,
    failures,
    outputs: {
      applied: String(results.some((r) => r.status === 'applied')),
      'bundle-sha256':
        results.length === 1
          ? (results[0]?.bundle?.sha256 ?? '')
          : JSON.stringify(Object.fromEntries(results.map((r) => [r.stackId, r.bundle?.sha256 ?? '']))),
      'pr-number': String(results.find((r) => r.pullRequest)?.pullRequest ?? ''),
      'result-dir': input.resultDir,
    },
  };
}
