import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { jobWorkflowRef, type RepoIdentity, WORKFLOWS } from '../../src/auth/oidc-subjects.ts';
import type { Stack } from '../../src/discovery/stacks.ts';
import { PLAN_ARTIFACT_PREFIX, writeAttestedManifest } from '../../src/engine/plan-manifest.ts';
import type { PlanStackResult } from '../../src/engine/plan-stack.ts';
import { planResultFile, writeResultFile } from '../../src/engine/result-file.ts';
import { writeFileAtomic } from '../../src/util/fs-atomic.ts';
import type { GitHubDouble } from './github-double/index.ts';
import type { OidcIssuer } from './oidc-issuer.ts';

/**
 * What a PR's plan run leaves behind, made the way the plan action makes it: one result file
 * per stack, a manifest listing bundles and result hashes, an ID token from the issuer whose
 * audience names the manifest's sha256, zipped as an `idlc-plan-*` artifact uploaded with the
 * run's own job token into a `pull_request` run of the plan workflow. `claims` overrides what
 * the issuer would say (an attacker's workflow, another run); `manifest` rewrites the manifest
 * before it is attested (a compromised plan job).
 */
export async function publishPlanRun(o: {
  gh: GitHubDouble;
  issuer: OidcIssuer;
  identity: RepoIdentity;
  pr: number;
  plans: { stack: Stack; result: PlanStackResult }[];
  claims?: Record<string, unknown>;
  conclusion?: 'success' | 'failure';
  artifactName?: string;
  /** More artifacts in the same run and attempt (e.g. the plan-run workflow called twice). */
  more?: { name: string; plans: { stack: Stack; result: PlanStackResult }[] }[];
  headBranch?: string;
  runAttempt?: number;
}) {
  const pull = o.gh.state.issues.get(o.pr)?.pull;
  if (!pull) throw new Error(`no PR #${o.pr}`);
  const run = o.gh.state.addWorkflowRun({
    path: WORKFLOWS.planCaller,
    event: 'pull_request',
    pullRequest: o.pr,
    ...(o.headBranch ? { headBranch: o.headBranch } : {}),
    jobs: ['idlc / detect', 'idlc / plan'],
  });
  const attempt = String(o.runAttempt ?? 1);
  const token = o.gh.issueToken({
    kind: 'workflow',
    runId: run.id,
    job: 'idlc / plan',
    permissions: { contents: 'read' },
  });
  const artifacts = [
    { name: o.artifactName ?? `${PLAN_ARTIFACT_PREFIX}0-a${attempt}`, plans: o.plans },
    ...(o.more ?? []),
  ];
  for (const artifact of artifacts) {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-plan-run-'));
    try {
      const stacks = [];
      for (const p of artifact.plans) {
        const file = await writeResultFile(
          join(dir, 'results'),
          'plan',
          p.stack.id,
          planResultFile({ stack: p.stack, wave: 0, headSha: pull.headSha, result: p.result }),
        );
        stacks.push({
          id: p.stack.id,
          status: p.result.denied
            ? ('denied' as const)
            : p.result.hasChanges
              ? ('changes' as const)
              : ('no-changes' as const),
          ...(p.result.bundle ? { bundle: p.result.bundle } : {}),
          resultFile: basename(file),
          resultBytes: await readFile(file),
        });
      }
      await writeAttestedManifest({
        dir,
        repository: o.identity.repository,
        pullRequest: o.pr,
        headSha: pull.headSha,
        baseSha: pull.baseSha,
        runId: String(run.id),
        runAttempt: attempt,
        stacks,
        attest: (audience) =>
          o.issuer.issue(audience, {
            // issued while the run ran (the double's clock is its own)
            iat: Math.floor(Date.parse(run.createdAt) / 1000) + 1,
            nbf: Math.floor(Date.parse(run.createdAt) / 1000),
            exp: Math.floor(Date.parse(run.createdAt) / 1000) + 300,
            repository: o.identity.repository,
            job_workflow_ref: jobWorkflowRef(o.identity, WORKFLOWS.planRun),
            workflow_ref: `${o.identity.repository}/${WORKFLOWS.planCaller}@refs/pull/${o.pr}/merge`,
            run_id: String(run.id),
            run_attempt: attempt,
            event_name: 'pull_request',
            ref: `refs/pull/${o.pr}/merge`,
            ...o.claims,
          }),
        write: (path, data) => writeFileAtomic(path, data),
      });
      const files: Record<string, Uint8Array> = {};
      for (const name of [
        'manifest.json',
        'attestation.jwt',
        ...stacks.map((s) => `results/${s.resultFile}`),
      ]) {
        files[relative(dir, join(dir, name))] = await readFile(join(dir, name));
      }
      o.gh.state.uploadArtifact(token, artifact.name, Buffer.from(zipSync(files)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  o.gh.state.completeWorkflowRun(run.id, o.conclusion ?? 'success');
  return run;
}
