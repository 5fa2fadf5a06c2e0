import { createHash } from 'node:crypto';
import type { IdTokenFetcher } from '../../../src/auth/id-token.ts';
import { openFederatedSession } from '../../../src/auth/session.ts';
import type { Registry } from '../../../src/config/schema.ts';
import type { Stack } from '../../../src/discovery/stacks.ts';
import { type ApplyStackOptions, applyStack } from '../../../src/engine/apply-stack.ts';
import type { SandboxEndpoint } from '../../../src/engine/backend-config.ts';
import type { TrustContext } from '../../../src/engine/plan-anchor.ts';
import type { PolicyVerdict } from '../../../src/engine/provenance.ts';
import { type ApplyResultFile, applyResultFile } from '../../../src/engine/result-file.ts';
import { runStackJob, type StackJobInput } from '../../../src/engine/run-stacks.ts';
import type { StackRequest } from '../../../src/engine/stack-input.ts';
import type { Finding } from '../../../src/report/results.ts';
import { UsageError } from '../../../src/util/errors.ts';

export interface ApplyActionInput extends StackJobInput {
  /** The pushed commit (GITHUB_SHA): applied when the matrix entry lists no merges. */
  mergeSha: string;
  runId: string;
  runAttempt: string;
  /** GitHub access + the identity plan attestations are checked against (built at the edge). */
  trust: Omit<TrustContext, 'identity' | 'issuer'>;
  tempDir: string;
  lockTimeout: string;
  sandbox?: SandboxEndpoint;
  env: NodeJS.ProcessEnv;
  idToken: IdTokenFetcher | undefined;
  mask: (secret: string) => void;
  log: (line: string) => void;
  /** The default branch's plan policies (this checkout is the default branch). */
  evaluatePolicy?: (
    planJson: unknown,
    stack: Stack,
    registry: Registry,
    approvals: string[],
  ) => Promise<{ verdict: PolicyVerdict; findings: Finding[] }>;
  runUrl?: string;
}

interface Merge {
  sha: string;
}

/** The merges to apply for one stack, in merge order: `merges` of the detect entry, else the pushed commit. */
export function mergesOf(request: StackRequest, pushed: string): Merge[] {
  const raw = request.entry?.['merges'];
  if (raw === undefined) return [{ sha: pushed }];
  if (
    !Array.isArray(raw) ||
    raw.length === 0 ||
    raw.some((m) => !/^[0-9a-f]{40}$/.test(String((m as Merge)?.sha)))
  ) {
    throw new UsageError(
      `stack ${request.id}: the matrix entry's merges must be a non-empty list of {"sha": <40-hex merge commit>}`,
      'pass the matrix from idlc detect (apply mode) unchanged',
    );
  }
  return raw.map((m) => ({ sha: String((m as Merge).sha) }));
}

/**
 * Apply each requested stack, and for each stack every merged PR that touched it since the last
 * successful apply run, in merge order. The first failure stops the job: later merges and later
 * stacks of a job may depend on it (waves are ordered).
 */
export async function runApplyAction(input: ApplyActionInput) {
  const job = await runStackJob<ApplyResultFile>(input, {
    kind: 'apply',
    stopOnFailure: true,
    saveCache: false,
    failed: (r) => (r.status === 'failed' || r.status === 'stale' ? (r.error ?? r.status) : undefined),
    skipped: (stack, request) =>
      applyResultFile({ stack, wave: Number(request.entry?.['wave'] ?? 0) || 0, skipped: true }),
    run: async (stack, request, loaded) => {
      const wave = Number(request.entry?.['wave'] ?? 0) || 0;
      const github = loaded.registry.github;
      const out: ApplyResultFile[] = [];
      for (const merge of mergesOf(request, input.mergeSha)) {
        const base = { stack, wave, runUrl: input.runUrl };
        try {
          if (!github) {
            throw new UsageError(
              'idlc.yaml has no github: block, so no plan attestation can be verified',
              'add github: { repository: owner/name, default_branch: main } to idlc.yaml on the default branch',
            );
          }
          if (`${input.trust.repo.owner}/${input.trust.repo.repo}` !== github.repository) {
            throw new UsageError(
              `this workflow runs in ${input.trust.repo.owner}/${input.trust.repo.repo}, but idlc.yaml names ${github.repository}`,
              'set github.repository in idlc.yaml to this repository',
            );
          }
          const options: ApplyStackOptions = {
            root: loaded.root,
            loaded,
            stack,
            env: input.env,
            sandbox: input.sandbox,
            pluginCacheDir: input.pluginCacheDir,
            tempDir: input.tempDir,
            lockTimeout: input.lockTimeout,
            log: input.log,
            mergeSha: merge.sha,
            runId: input.runId,
            runAttempt: input.runAttempt,
            trust: {
              ...input.trust,
              identity: { repository: github.repository, defaultBranch: github.default_branch },
              issuer: github.oidc_issuer,
            },
            evaluatePolicy: input.evaluatePolicy
              ? (planJson, approvals) => input.evaluatePolicy!(planJson, stack, loaded.registry, approvals)
              : undefined,
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
          };
          const r = await applyStack(options);
          for (const w of r.warnings) input.warn(w);
          input.log(
            `${stack.id}: ${r.skipped ? `skipped (${r.skipped})` : r.applied ? 'applied' : 'nothing to apply in'} the plan reviewed on #${r.pullRequest.number} ` +
              `(head ${r.headSha.slice(0, 12)}, bundle ${r.bundleSha256}${r.approvedBy.length ? `, approved by ${r.approvedBy.join(', ')}` : ''})`,
          );
          out.push(applyResultFile({ ...base, result: r, mergeSha: merge.sha }));
        } catch (err) {
          out.push(applyResultFile({ ...base, error: err, mergeSha: merge.sha }));
          break;
        }
      }
      return out;
    },
  });
  const results = job.results.map((r) => r.result);
  return {
    results,
    failures: job.failures,
    outputs: {
      applied: String(results.some((r) => r.status === 'applied')),
      'bundle-sha256':
        results.length === 1
          ? (results[0]?.bundleSha256 ?? '')
          : JSON.stringify(Object.fromEntries(results.map((r) => [r.stack.id, r.bundleSha256 ?? '']))),
      'pr-numbers': [...new Set(results.map((r) => r.pullRequest).filter(Boolean))].join(','),
      'result-dir': input.resultDir,
      // One artifact per job, named by the stacks it applied (unique in the run).
      'artifact-name': `idlc-apply-${createHash('sha256')
        .update(
          results
            .map((r) => r.stack.id)
            .sort()
            .join('\n'),
        )
        .digest('hex')
        .slice(0, 16)}`,
    },
  };
}
