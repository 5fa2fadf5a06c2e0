import type { JWTVerifyGetKey } from 'jose';
import { type RepoIdentity, WORKFLOWS } from '../auth/oidc-subjects.ts';
import { downloadArtifactFiles, listRunArtifacts } from '../github/artifacts.ts';
import { type GitHubRequest, httpStatus } from '../github/request.ts';
import { UsageError } from '../util/errors.ts';
import type { BundleRef } from './bundle-store.ts';
import {
  ATTESTATION_FILE,
  MANIFEST_FILE,
  PLAN_ARTIFACT_PREFIX,
  type PlanManifest,
  sha256Of,
  verifyPlanAttestation,
} from './plan-manifest.ts';

/** A workflow run as the Actions API describes it (the fields the trust decisions read). */
export interface WorkflowRun {
  id: number;
  path: string;
  event: string;
  headSha: string;
  headBranch: string;
  headRepository: string;
  pullRequests: number[];
  conclusion: string | null;
  runAttempt: number;
  createdAt: string;
  updatedAt: string;
  htmlUrl: string;
}

export function toWorkflowRun(r: Record<string, unknown>): WorkflowRun {
  const headRepo = r['head_repository'] as { full_name?: string } | null | undefined;
  return {
    id: Number(r['id']),
    path: String(r['path'] ?? '').replace(/@.*$/, ''),
    event: String(r['event'] ?? ''),
    headSha: String(r['head_sha'] ?? ''),
    headBranch: String(r['head_branch'] ?? ''),
    headRepository: headRepo?.full_name ?? '',
    pullRequests: ((r['pull_requests'] as { number?: number }[] | null) ?? []).map((p) => Number(p.number)),
    conclusion: (r['conclusion'] as string | null) ?? null,
    runAttempt: Number(r['run_attempt'] ?? 1),
    createdAt: String(r['created_at'] ?? r['run_started_at'] ?? ''),
    updatedAt: String(r['updated_at'] ?? ''),
    htmlUrl: String(r['html_url'] ?? ''),
  };
}

export interface AttestedManifest {
  artifact: string;
  attempt: number;
  manifest: PlanManifest;
  /** Result file bytes by stack id, each matching its manifest entry's sha256. */
  results: Map<string, Uint8Array>;
  /** The manifest validation result (idlc.manifest-result/v1) the job attested, if any. */
  manifestResult?: Uint8Array;
}

export interface AttestedRun {
  run: WorkflowRun;
  /** Every verified manifest of the run (all attempts). */
  manifests: AttestedManifest[];
  /** Artifacts that were ignored, and why (unattested, unreadable). */
  ignored: string[];
}

export interface AttestedStack {
  entry: PlanManifest['stacks'][number];
  manifest: PlanManifest;
  result: Uint8Array;
  attempt: number;
}

/**
 * Per stack, the entry of the newest run attempt that planned it (a re-run of failed jobs
 * leaves the other stacks' entries in the earlier attempt). Two different entries for one
 * stack in the same attempt are conflicting anchors: the stack is listed in `conflicts`.
 */
export function latestEntries(a: AttestedRun): { stacks: Map<string, AttestedStack>; conflicts: string[] } {
  const stacks = new Map<string, AttestedStack>();
  const conflicts = new Set<string>();
  for (const m of a.manifests) {
    for (const entry of m.manifest.stacks) {
      const prev = stacks.get(entry.id);
      const next = {
        entry,
        manifest: m.manifest,
        result: m.results.get(entry.id) ?? new Uint8Array(),
        attempt: m.attempt,
      };
      if (!prev || prev.attempt < m.attempt) {
        stacks.set(entry.id, next);
        conflicts.delete(entry.id);
      } else if (prev.attempt === m.attempt && JSON.stringify(prev.entry) !== JSON.stringify(entry)) {
        conflicts.add(entry.id);
      }
    }
  }
  return { stacks, conflicts: [...conflicts].sort() };
}

export interface TrustContext {
  gh: GitHubRequest;
  repo: { owner: string; repo: string };
  identity: RepoIdentity;
  issuer: string;
  /** Tests: the issuer's key set without discovery. */
  keys?: JWTVerifyGetKey;
}

/**
 * Read what the default branch's plan workflow attested in a run: every `idlc-plan-*` artifact
 * is downloaded (within limits), its manifest checked against its ID token and the run, and the
 * result files it lists are kept only when their sha256 matches. Everything else is reported as
 * ignored, never used.
 */
export async function readAttestedRun(
  t: TrustContext,
  run: WorkflowRun,
  pullRequest: number,
): Promise<AttestedRun> {
  const ignored: string[] = [];
  const found: AttestedManifest[] = [];
  for (const artifact of await listRunArtifacts(t.gh, t.repo, run.id, PLAN_ARTIFACT_PREFIX)) {
    try {
      const files = await downloadArtifactFiles(t.gh, t.repo, artifact);
      const raw = files.get(MANIFEST_FILE);
      const jwt = files.get(ATTESTATION_FILE);
      if (!raw || !jwt) {
        ignored.push(`${artifact.name}: no ${raw ? ATTESTATION_FILE : MANIFEST_FILE}`);
        continue;
      }
      const { manifest } = await verifyPlanAttestation(raw, Buffer.from(jwt).toString('utf8'), {
        identity: t.identity,
        issuer: t.issuer,
        run,
        pullRequest,
        keys: t.keys,
      });
      const results = new Map<string, Uint8Array>();
      for (const s of manifest.stacks) {
        const bytes = files.get(`results/${s.result.file}`);
        if (!bytes || sha256Of(bytes) !== s.result.sha256) {
          throw new UsageError(
            `result file results/${s.result.file} is missing or differs from its manifest entry`,
          );
        }
        results.set(s.id, bytes);
      }
      let manifestResult: Uint8Array | undefined;
      if (manifest.manifests) {
        manifestResult = files.get(`results/${manifest.manifests.file}`);
        if (!manifestResult || sha256Of(manifestResult) !== manifest.manifests.sha256) {
          throw new UsageError(
            `results/${manifest.manifests.file} is missing or differs from its manifest entry`,
          );
        }
      }
      found.push({
        artifact: artifact.name,
        manifest,
        results,
        attempt: Number(manifest.runAttempt),
        ...(manifestResult ? { manifestResult } : {}),
      });
    } catch (err) {
      ignored.push(`${artifact.name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { run, manifests: found, ignored };
}

export interface PullRequestHead {
  number: number;
  headSha: string;
  headRef: string;
  /** owner/name of the head repository (a fork's for fork PRs). */
  headRepository: string;
}

export interface PlanAnchor {
  ref: BundleRef;
  run: WorkflowRun;
  manifest: PlanManifest;
  /** The attested result file of this stack (the redacted model the reviewers saw). */
  result: Uint8Array;
}

/**
 * The reviewed bundle of a stack for a merged PR: from the newest successful run of the PR plan
 * workflow at the PR's final head (event pull_request, same head branch and repository, listing
 * the PR), the attested manifest entry for the stack. Refuses when there is no such run or
 * entry, when two attested manifests of that run disagree, or when the API cannot be read.
 */
export async function findPlanAnchor(
  t: TrustContext,
  pr: PullRequestHead,
  stackId: string,
): Promise<PlanAnchor> {
  const where = `PR #${pr.number} at ${pr.headSha.slice(0, 12)}`;
  let runs: WorkflowRun[];
  try {
    const res = await t.gh.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
      owner: t.repo.owner,
      repo: t.repo.repo,
      workflow_id: WORKFLOWS.planCaller.split('/').pop(),
      event: 'pull_request',
      head_sha: pr.headSha,
      status: 'success',
      per_page: 100,
    });
    runs = ((res.data as { workflow_runs?: Record<string, unknown>[] }).workflow_runs ?? []).map(
      toWorkflowRun,
    );
  } catch (err) {
    const s = httpStatus(err);
    throw new UsageError(
      `stack ${stackId}: cannot look up the plan runs of ${where}${s ? ` (HTTP ${s})` : ''}: ${(err as Error).message}`,
      'nothing was applied. The apply job needs `permissions: actions: read`; re-run it once the API answers',
    );
  }
  const candidates = runs
    .filter(
      (r) =>
        r.path === WORKFLOWS.planCaller &&
        r.event === 'pull_request' &&
        r.conclusion === 'success' &&
        r.headSha === pr.headSha &&
        r.headBranch === pr.headRef &&
        r.headRepository === pr.headRepository &&
        (r.pullRequests.length === 0
          ? pr.headRepository !== t.identity.repository
          : r.pullRequests.includes(pr.number)),
    )
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
  const run = candidates[0];
  if (!run) {
    throw new UsageError(
      `stack ${stackId}: no successful run of ${WORKFLOWS.planCaller} for ${where} (the reviewed plan is unknown)`,
      'nothing was applied. Plans are made on the PR: re-run the PR plan at its final head, review, then re-run this apply',
    );
  }
  const attested = await readAttestedRun(t, run, pr.number);
  const { stacks, conflicts } = latestEntries(attested);
  if (conflicts.includes(stackId)) {
    throw new UsageError(
      `stack ${stackId}: run ${run.id} of ${where} attests two different plans for this stack in one attempt`,
      'nothing was applied. Conflicting anchors mean the plan workflow ran twice for this stack in one run; re-run the PR plan',
    );
  }
  const hit = stacks.get(stackId);
  if (!hit?.entry.bundle) {
    const why = hit
      ? `its plan ended "${hit.entry.status}" without a bundle`
      : attested.manifests.length > 0
        ? 'the run did not plan this stack'
        : `the run has no attested plan manifest${attested.ignored.length ? ` (${attested.ignored.join('; ')})` : ''}`;
    throw new UsageError(
      `stack ${stackId}: no reviewed plan for ${where} in run ${run.id}: ${why}`,
      'nothing was applied. Re-run the PR plan at its final head, review it, then re-run this apply',
    );
  }
  if (hit.entry.status === 'denied') {
    throw new UsageError(
      `stack ${stackId}: the plan reviewed on ${where} was denied by policy`,
      'nothing was applied. Fix the plan (or add a waiver on the default branch) and plan again on a PR',
    );
  }
  return { ref: { ...hit.entry.bundle }, run, manifest: hit.manifest, result: hit.result };
}
