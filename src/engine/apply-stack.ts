import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CloudSession } from '../auth/session.ts';
import { WORKLOAD_OUTPUT } from '../gitops/infra-outputs.ts';
import { buildPlanModel, type PlanModel } from '../plan/model.ts';
import type { Finding } from '../report/results.ts';
import { UsageError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs-atomic.ts';
import { type Approvers, approvedLabels, verifyApproval } from './approval.ts';
import { unpackBundle } from './bundle.ts';
import { type ApplyRecord, type BundleStore, bundleStoreFor, decideApply } from './bundle-store.ts';
import { EngineError } from './engine-errors.ts';
import { type MergedPullRequest, mergedPullRequestFor } from './merge-pr.ts';
import { findPlanAnchor, type TrustContext } from './plan-anchor.ts';
import { verifyPlanConfiguration } from './plan-config.ts';
import { type RunTimings, timingsOf } from './plan-stack.ts';
import { type PolicyVerdict, registryEntryHash, stackContent, verifyProvenance } from './provenance.ts';
import { prepareStackRun, type StackRunContext } from './stack-run.ts';

export interface ApplyStackOptions extends StackRunContext {
  /** The commit on the default branch whose merged PR is applied (its merge commit). */
  mergeSha: string;
  runId: string;
  runAttempt?: string;
  /** GitHub access and the identity the plan attestations are checked against. */
  trust: TrustContext;
  /** The merged PR (from the apply range); looked up from `mergeSha` when absent. */
  pullRequest?: MergedPullRequest;
  /** Opens the apply role's credentials (account guard included). */
  openSession: () => Promise<CloudSession>;
  /**
   * The default branch's plan policies on the plan as re-read from the bundle, with the
   * approvals (labels added by owners) that count now. Absent: not re-evaluated (CLI tests only).
   */
  evaluatePolicy?: (
    showJson: unknown,
    approvals: string[],
  ) => Promise<{ verdict: PolicyVerdict; findings: Finding[] }>;
  now?: () => Date;
}

export interface ApplyStackResult {
  stackId: string;
  pullRequest: MergedPullRequest;
  headSha: string;
  bundleSha256: string;
  /** false when the reviewed plan had no changes, or it was applied before (see `skipped`). */
  applied: boolean;
  /** Why nothing was done: the bundle was already applied by an earlier run. */
  skipped?: string;
  /** The plan model re-derived from the bundle's plan file (skipped: the one reviewed). */
  model?: PlanModel;
  /** Owners whose approval of the final head was found (approval required envs). */
  approvedBy: string[];
  policy?: PolicyVerdict;
  /**
   * The stack's `workload` output after apply (values for its apps' env overlays, see
   * src/gitops/infra-outputs.ts); absent when the stack has none. Never a sensitive output.
   */
  workload?: { value: unknown };
  principal: string;
  warnings: string[];
  timings: RunTimings;
}

function approversOf(o: ApplyStackOptions): Approvers {
  const team = o.loaded.registry.teams[o.stack.team];
  return { logins: team?.approvers ?? [], ownerTeams: team?.owners ?? [] };
}

/**
 * Apply exactly the plan reviewed on the PR merged as `mergeSha`. Trusts only what no other
 * PR can write and re-derives the rest:
 *   anchor   the attested manifest of the PR's own plan run at its final head → bundle sha256
 *   bytes    the content-addressed bundle, sha256 checked; provenance against the merge commit
 *   config   the plan file's embedded configuration equals the merge commit's files
 *   policy   `show -json` with this job's engine, the default branch's policies
 *   approval an owner who is not the author approved the final head (when the env requires it)
 *   once     a write-once claim, then the engine, then a write-once result
 * Every check that can refuse runs before the claim, and the claim before `apply`.
 */
export async function applyStack(o: ApplyStackOptions): Promise<ApplyStackResult> {
  const started = performance.now();
  const { stack, trust } = o;
  const prepared = await prepareStackRun(o);
  let session: CloudSession | undefined;
  let store: BundleStore | undefined;
  const at = () => (o.now?.() ?? new Date()).toISOString();
  try {
    const pr = o.pullRequest ?? (await mergedPullRequestFor(trust.gh, trust.repo, o.mergeSha));
    const anchor = await findPlanAnchor(trust, pr, stack.id);
    const ref = anchor.ref;
    const content = await stackContent(o.root, stack.dir, o.listFiles);
    const approvers = approversOf(o);
    const party = { number: pr.number, headSha: pr.headSha, author: pr.author };
    const approvedBy = stack.target.approvalRequired
      ? await verifyApproval(trust.gh, trust.repo, party, approvers, stack.id)
      : [];

    session = await o.openSession();
    store = await bundleStoreFor(
      stack.target.state,
      { aws: session.aws, gcpAccessToken: session.gcpAccessToken },
      o.sandbox,
    );
    const base = {
      stackId: stack.id,
      pullRequest: pr,
      headSha: pr.headSha,
      bundleSha256: ref.sha256,
      approvedBy,
      principal: session.principal,
      warnings: prepared.warnings,
    };
    let decision = decideApply(await store.records(ref));
    if (decision.action === 'refuse') {
      throw new UsageError(
        `stack ${stack.id}: refusing to apply the plan reviewed on #${pr.number}: ${decision.reason}`,
        'a reviewed plan applies at most once. Check the state, then open a PR so the stack is planned again',
      );
    }
    if (decision.action === 'skip') {
      let reviewed: { model?: PlanModel } = {};
      try {
        reviewed = JSON.parse(Buffer.from(anchor.result).toString('utf8')) as typeof reviewed;
      } catch {
        // the model is for display only; the decision does not depend on it
      }
      return {
        ...base,
        applied: false,
        skipped: decision.reason,
        ...(reviewed.model ? { model: reviewed.model } : {}),
        timings: timingsOf(started, prepared.preTimings),
      };
    }

    const bytes = await store.get(ref, stack.id);
    const { parts } = unpackBundle(bytes, stack.id, [ref.sha256]);
    verifyProvenance(parts.provenance, {
      stackId: stack.id,
      headSha: pr.headSha,
      content,
      engine: { name: stack.engine.name, version: stack.engine.version },
      registryEntrySha256: registryEntryHash(o.loaded.registry, stack),
    });
    await verifyPlanConfiguration(parts.planFile, o.root, stack.dir, stack.id);

    const runner = prepared.runner(session);
    const planFile = join(prepared.dir, 'plan.tfplan');
    await writeFileAtomic(planFile, parts.planFile, 0o600);
    await runner.init(prepared.backendArgs);
    // What will be applied, read again from the plan file by this job's engine: the model the
    // report shows and the input the default branch's policies judge now.
    const shown = await runner.show(planFile);
    const model = buildPlanModel(shown.json);
    let policy: PolicyVerdict | undefined;
    if (o.evaluatePolicy) {
      const labels = await approvedLabels(trust.gh, trust.repo, party, pr.labels, approvers);
      const evaluated = await o.evaluatePolicy(shown.json, labels);
      policy = evaluated.verdict;
      if (policy.denied) {
        const denials = evaluated.findings
          .filter((f) => f.status === 'deny')
          .map((f) => `${f.rule} on ${f.resource}: ${f.message}`);
        throw new UsageError(
          `stack ${stack.id}: refusing to apply: the default branch's policies deny this plan now:\n  - ${denials.slice(0, 10).join('\n  - ')}${denials.length > 10 ? `\n  - … ${denials.length - 10} more` : ''}`,
          'nothing was applied. Fix the change (or get a waiver merged on the default branch) and plan again on a PR',
        );
      }
    }
    if (!model.hasChanges) {
      return {
        ...base,
        applied: false,
        model,
        policy,
        timings: timingsOf(started, [...prepared.preTimings, ...runner.timings]),
      };
    }

    const record = (status: ApplyRecord['status'], detail?: string): ApplyRecord => ({
      status,
      bundleSha256: ref.sha256,
      runId: o.runId,
      runAttempt: o.runAttempt ?? '1',
      mergeSha: o.mergeSha,
      pullRequest: pr.number,
      at: at(),
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
    });
    // Claim n, where n follows every earlier claim that gave the bundle back; a run that loses
    // the race re-reads the records and decides again.
    let claimed: number | undefined;
    for (let tries = 0; tries < 3 && claimed === undefined; tries++) {
      if (decision.action !== 'apply') break;
      if (await store.createClaim(ref, decision.claim, record('applying'))) claimed = decision.claim;
      else decision = decideApply(await store.records(ref));
    }
    if (claimed === undefined) {
      const why = decision.action === 'apply' ? 'other runs kept claiming it' : decision.reason;
      throw new UsageError(
        `stack ${stack.id}: refusing to apply the plan reviewed on #${pr.number}: ${why}`,
        'another run is applying or applied this plan; see its log',
      );
    }
    try {
      await runner.apply(planFile);
    } catch (err) {
      const kind = err instanceof EngineError ? err.kind : undefined;
      // Refused before any change (lock held elsewhere): the claim is given back by its result.
      const untouched = kind === 'locked' || kind === 'init' || kind === 'missing';
      const detail = kind === 'stale-plan' ? 'saved plan is stale' : (err as Error).message;
      await store.createResult(ref, claimed, record(untouched ? 'not-started' : 'failed', detail));
      throw err;
    }
    await store.createResult(ref, claimed, record('applied'));
    const workload = (await runner.outputs())[WORKLOAD_OUTPUT];
    if (workload?.sensitive) {
      prepared.warnings.push(
        `${stack.id}: output "${WORKLOAD_OUTPUT}" is sensitive and is not written to the app overlays (secrets never go into Git)`,
      );
    }
    return {
      ...base,
      applied: true,
      model,
      policy,
      ...(workload && !workload.sensitive ? { workload: { value: workload.value } } : {}),
      timings: timingsOf(started, [...prepared.preTimings, ...runner.timings]),
    };
  } finally {
    store?.destroy();
    await session?.cleanup();
    await prepared.cleanup();
  }
}

/**
 * Apply a plan file saved earlier on this machine (`idlc apply --plan-file`): the engine refuses
 * it when the state changed since ("Saved plan is stale"). For unprotected envs only; the CLI
 * checks that before calling.
 */
export async function applySavedPlan(
  ctx: StackRunContext & { planFile: string; openSession: () => Promise<CloudSession> },
): Promise<{ timings: RunTimings }> {
  const started = performance.now();
  const prepared = await prepareStackRun(ctx);
  let session: CloudSession | undefined;
  try {
    session = await ctx.openSession();
    const runner = prepared.runner(session);
    await runner.init(prepared.backendArgs);
    await runner.apply(ctx.planFile);
    return { timings: timingsOf(started, [...prepared.preTimings, ...runner.timings]) };
  } finally {
    await session?.cleanup();
    await prepared.cleanup();
  }
}
