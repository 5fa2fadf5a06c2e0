import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { IdTokenFetcher } from '../../../src/auth/id-token.ts';
import { openFederatedSession } from '../../../src/auth/session.ts';
import type { LoadedRegistry } from '../../../src/config/load.ts';
import type { Registry } from '../../../src/config/schema.ts';
import type { Stack } from '../../../src/discovery/stacks.ts';
import { type Approvers, approvedLabels } from '../../../src/engine/approval.ts';
import type { SandboxEndpoint } from '../../../src/engine/backend-config.ts';
import { PLAN_ARTIFACT_PREFIX, sha256Of, writeAttestedManifest } from '../../../src/engine/plan-manifest.ts';
import { planStack } from '../../../src/engine/plan-stack.ts';
import type { PolicyVerdict } from '../../../src/engine/provenance.ts';
import { type PlanResultFile, planResultFile } from '../../../src/engine/result-file.ts';
import { runStackJob, type StackJobInput } from '../../../src/engine/run-stacks.ts';
import type { StackRequest } from '../../../src/engine/stack-input.ts';
import type { GitHubRequest } from '../../../src/github/request.ts';
import type { Finding } from '../../../src/report/results.ts';
import { writeFileAtomic } from '../../../src/util/fs-atomic.ts';

/** The pull request a PR plan is for (from the event; absent for drift and manual plans). */
export interface PullRequestContext {
  number: number;
  headSha: string;
  baseSha: string;
  author: string;
  labels: string[];
}

/** Everything the plan action needs, read by main.ts and nothing else. */
export interface PlanActionInput extends StackJobInput {
  headSha: string;
  pullRequest?: PullRequestContext;
  repository: string;
  runId: string;
  runAttempt: string;
  tempDir: string;
  lockTimeout: string;
  sandbox?: SandboxEndpoint;
  env: NodeJS.ProcessEnv;
  idToken: IdTokenFetcher | undefined;
  mask: (secret: string) => void;
  log: (line: string) => void;
  /** Reads who added labels (destroy-approved counts only from an owner who is not the author). */
  github?: GitHubRequest;
  /** Plan policy (OPA) on the raw plan JSON, with the approvals that count. */
  evaluatePolicy?: (
    planJson: unknown,
    stack: Stack,
    registry: Registry,
    approvals: string[],
  ) => Promise<{ verdict: PolicyVerdict; findings: Finding[] }>;
  runUrl?: string;
}

export interface PlanActionOutput {
  results: PlanResultFile[];
  outputs: Record<string, string>;
  failures: string[];
}

/**
 * Plan each requested stack (independently: one failure does not hide the others' plans),
 * then, on a PR, write the attested manifest that apply and the report will trust.
 */
export async function runPlanAction(input: PlanActionInput): Promise<PlanActionOutput> {
  const resultsDir = input.pullRequest ? join(input.resultDir, 'results') : input.resultDir;
  const labelsFor = new Map<string, Promise<string[]>>();
  const approvals = (registry: Registry, stack: Stack): Promise<string[]> => {
    const pr = input.pullRequest;
    if (!pr || pr.labels.length === 0 || !input.github) return Promise.resolve([]);
    const team = registry.teams[stack.team];
    const approvers: Approvers = { logins: team?.approvers ?? [], ownerTeams: team?.owners ?? [] };
    const key = stack.team;
    let p = labelsFor.get(key);
    if (!p) {
      p = approvedLabels(input.github, splitRepo(input.repository), pr, pr.labels, approvers).catch(
        (err: Error) => {
          input.warn(
            `${stack.id}: cannot read who added the PR labels (${err.message}); no label counts as an approval`,
          );
          return [];
        },
      );
      labelsFor.set(key, p);
    }
    return p;
  };

  const job = await runStackJob<PlanResultFile>(
    { ...input, resultDir: resultsDir },
    {
      kind: 'plan',
      stopOnFailure: false,
      saveCache: true,
      failed: (r) => (r.status === 'error' ? r.error : undefined),
      skipped: (stack) => planResultFile({ stack, wave: 0, headSha: input.headSha, error: 'not planned' }),
      run: async (stack, request, loaded) => [await planOne(stack, request, loaded)],
    },
  );
  async function planOne(
    stack: Stack,
    request: StackRequest,
    loaded: LoadedRegistry,
  ): Promise<PlanResultFile> {
    const base = {
      stack,
      wave: Number(request.entry?.['wave'] ?? 0) || 0,
      headSha: input.headSha,
      runUrl: input.runUrl,
    };
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
              const evaluated = await input.evaluatePolicy!(
                planJson,
                stack,
                loaded.registry,
                await approvals(loaded.registry, stack),
              );
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
      return planResultFile({ ...base, error: err });
    }
  }

  const results = job.results.map((r) => r.result);
  if (input.pullRequest && input.idToken) {
    const pr = input.pullRequest;
    const stacks = await Promise.all(
      job.results.map(async (r) => ({
        id: r.stack.id,
        status:
          r.result.status === 'denied'
            ? ('denied' as const)
            : r.result.status === 'error'
              ? ('error' as const)
              : r.result.model?.hasChanges
                ? ('changes' as const)
                : ('no-changes' as const),
        bundle: r.result.bundle,
        resultFile: basename(r.file),
        resultBytes: await readFile(r.file),
      })),
    );
    const idToken = input.idToken;
    const written = await writeAttestedManifest({
      dir: input.resultDir,
      repository: input.repository,
      pullRequest: pr.number,
      headSha: pr.headSha,
      baseSha: pr.baseSha,
      runId: input.runId,
      runAttempt: input.runAttempt,
      stacks,
      attest: async (audience) => {
        const token = await idToken(audience);
        input.mask(token);
        return token;
      },
      write: (path, data) => writeFileAtomic(path, data),
    });
    input.log(
      `plan manifest sha256 ${written.sha256} attested for run ${input.runId} attempt ${input.runAttempt}`,
    );
  }

  const shas = Object.fromEntries(
    results.filter((r) => r.bundleSha256).map((r) => [r.stack.id, r.bundleSha256]),
  );
  // One artifact per job, named by the stacks it planned (unique in the run, stable across attempts).
  const key = sha256Of(
    results
      .map((r) => r.stack.id)
      .sort()
      .join('\n'),
  ).slice(0, 16);
  return {
    results,
    failures: job.failures,
    outputs: {
      'bundle-sha256': results.length === 1 ? (results[0]?.bundleSha256 ?? '') : JSON.stringify(shas),
      'has-changes': String(results.some((r) => r.model?.hasChanges)),
      denied: String(results.some((r) => r.status === 'denied')),
      'result-dir': input.resultDir,
      'artifact-name': input.pullRequest
        ? `${PLAN_ARTIFACT_PREFIX}${key}-a${input.runAttempt}`
        : `idlc-results-${key}`,
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

function splitRepo(full: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = full.split('/');
  return { owner, repo };
}
