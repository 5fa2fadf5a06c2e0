import type { IdTokenFetcher } from '../../../src/auth/id-token.ts';
import { openFederatedSession } from '../../../src/auth/session.ts';
import { loadRegistry } from '../../../src/config/load.ts';
import { discoverStacks } from '../../../src/discovery/stacks.ts';
import { applyStack } from '../../../src/engine/apply-stack.ts';
import type { SandboxEndpoint } from '../../../src/engine/backend-config.ts';
import type { GitHubRequest } from '../../../src/engine/merge-pr.ts';
import { pluginCacheKey } from '../../../src/engine/plugin-cache.ts';
import { type ApplyResultFile, applyResultFile, writeResultFile } from '../../../src/engine/result-file.ts';
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
  /** Link to this workflow run, for the report. */
  runUrl?: string;
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
  const requests = parseStackInput(input.stack);
  const stacks = resolveRequestedStacks(requests, await discoverStacks(loaded));
  const waveOf = new Map(requests.map((r) => [r.id, Number(r.entry?.['wave'] ?? 0) || 0]));
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
  const results: ApplyResultFile[] = [];
  const failures: string[] = [];
  let prNumber: number | undefined;
  for (const stack of stacks) {
    const base = { stack, wave: waveOf.get(stack.id) ?? 0, runUrl: input.runUrl };
    if (failures.length > 0) {
      // Later stacks of a job may depend on earlier ones: do not apply past a failure, but say so.
      const skipped = applyResultFile({ ...base, skipped: true });
      await writeResultFile(input.resultDir, 'apply', stack.id, skipped);
      results.push(skipped);
      continue;
    }
    const result = await input.group(`apply ${stack.id}`, async (): Promise<ApplyResultFile> => {
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
          `${stack.id}: ${r.applied ? 'applied' : 'nothing to apply in'} the plan reviewed on #${r.pullRequest.number} ` +
            `(head ${r.headSha.slice(0, 12)}, bundle ${r.bundleSha256})`,
        );
        prNumber = r.pullRequest.number;
        return applyResultFile({ ...base, result: r });
      } catch (err) {
        const file = applyResultFile({ ...base, error: err });
        failures.push(`${stack.id}: ${file.error}`);
        return file;
      }
    });
    await writeResultFile(input.resultDir, 'apply', stack.id, result);
    results.push(result);
  }
  return {
    results,
    failures,
    outputs: {
      applied: String(results.some((r) => r.status === 'applied')),
      'bundle-sha256':
        results.length === 1
          ? (results[0]?.bundleSha256 ?? '')
          : JSON.stringify(Object.fromEntries(results.map((r) => [r.stack.id, r.bundleSha256 ?? '']))),
      'pr-number': String(prNumber ?? ''),
      'result-dir': input.resultDir,
    },
  };
}
