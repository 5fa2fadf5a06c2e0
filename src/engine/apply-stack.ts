import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CloudSession } from '../auth/session.ts';
import type { PlanModel } from '../plan/model.ts';
import { writeFileAtomic } from '../util/fs-atomic.ts';
import { unpackBundle } from './bundle.ts';
import { type ApplyMarker, alreadyApplied, BundleStore, bundleLocation } from './bundle-store.ts';
import { EngineError } from './engine-errors.ts';
import { type GitHubRequest, type MergedPullRequest, mergedPullRequestFor } from './merge-pr.ts';
import { type RunTimings, timingsOf } from './plan-stack.ts';
import { registryEntryHash, stackContent, verifyProvenance } from './provenance.ts';
import { publishedBundleSha256 } from './published-bundle.ts';
import { prepareStackRun, type StackRunContext } from './stack-run.ts';

export interface ApplyStackOptions extends StackRunContext {
  /** The commit on the default branch being applied (GITHUB_SHA of the push). */
  mergeSha: string;
  runId: string;
  github: GitHubRequest;
  repo: { owner: string; repo: string };
  /** Opens the apply role's credentials (account guard included). */
  openSession: () => Promise<CloudSession>;
  /**
   * The bundle sha256 published with the PR's check when it was planned. When given, a bundle
   * whose bytes differ is refused; without it only S3's stored checksum and the bundle's inner
   * consistency are checked.
   */
  expectedBundleSha256?: string;
  now?: () => Date;
}

export interface ApplyStackResult {
  stackId: string;
  pullRequest: MergedPullRequest;
  headSha: string;
  bundleSha256: string;
  /** false when the reviewed plan had no changes (nothing to apply). */
  applied: boolean;
  /** The redacted model that was reviewed (from the bundle). */
  model: PlanModel;
  principal: string;
  warnings: string[];
  timings: RunTimings;
}

/**
 * Apply exactly the plan that was reviewed on the PR that produced this merge commit:
 * PR lookup → bundle from the team bucket → hash → provenance against the merge commit's
 * content → claim (applied marker, conditional write) → init → apply <planfile>.
 * Every check that can refuse runs before the claim, and the claim before the engine.
 */
export async function applyStack(o: ApplyStackOptions): Promise<ApplyStackResult> {
  const started = performance.now();
  const { stack } = o;
  const prepared = await prepareStackRun(o);
  let session: CloudSession | undefined;
  let store: BundleStore | undefined;
  try {
    const pr = await mergedPullRequestFor(o.github, o.repo, o.mergeSha);
    // The hash published with the PR check is the anchor outside the bucket; look it up when
    // the workflow did not pass it.
    const expected =
      o.expectedBundleSha256 ||
      (await publishedBundleSha256(o.github, o.repo, pr.headSha, stack).catch(() => undefined));
    const content = await stackContent(o.root, stack.dir, o.listFiles);
    session = await o.openSession();
    store = new BundleStore(stack.target.state, session.aws, o.sandbox);
    const loc = bundleLocation(stack.target.state, stack.id, pr.headSha);

    const previous = await store.readMarker(loc);
    if (previous) throw alreadyApplied(stack.id, loc, previous);
    const bytes = await store.get(loc, stack.id);
    const { parts, sha256 } = unpackBundle(bytes, stack.id, expected ? [expected] : []);
    if (!expected) {
      prepared.warnings.push(
        `${stack.id}: no bundle sha256 was given or found on the PR check; checked S3's stored checksum and the bundle's own hashes only`,
      );
    }
    verifyProvenance(parts.provenance, {
      stackId: stack.id,
      headSha: pr.headSha,
      content,
      engine: { name: stack.engine.name, version: stack.engine.version },
      registryEntrySha256: registryEntryHash(o.loaded.registry, stack),
    });

    const base = { bundleSha256: sha256, runId: o.runId, mergeSha: o.mergeSha };
    const at = () => (o.now?.() ?? new Date()).toISOString();
    if (!parts.provenance.plan.hasChanges) {
      return {
        stackId: stack.id,
        pullRequest: pr,
        headSha: pr.headSha,
        bundleSha256: sha256,
        applied: false,
        model: parts.model as PlanModel,
        principal: session.principal,
        warnings: prepared.warnings,
        timings: timingsOf(started, prepared.preTimings),
      };
    }

    await store.claim(loc, { status: 'applying', at: at(), ...base }, stack.id);
    const runner = prepared.runner(session);
    const planFile = join(prepared.dir, 'plan.tfplan');
    await writeFileAtomic(planFile, parts.planFile, 0o600);
    try {
      await runner.init(prepared.backendArgs);
      await runner.apply(planFile);
    } catch (err) {
      const kind = err instanceof EngineError ? err.kind : undefined;
      // Refused before any change (lock held elsewhere, init failed): give the claim back so
      // a re-run can apply. Anything else may have changed resources: the bundle is spent.
      if (kind === 'locked' || kind === 'init' || kind === 'missing') await store.release(loc);
      else {
        const marker: ApplyMarker = {
          status: 'failed',
          at: at(),
          ...base,
          detail: kind === 'stale-plan' ? 'saved plan is stale' : (err as Error).message.slice(0, 500),
        };
        await store.finish(loc, marker);
      }
      throw err;
    }
    await store.finish(loc, { status: 'applied', at: at(), ...base });
    return {
      stackId: stack.id,
      pullRequest: pr,
      headSha: pr.headSha,
      bundleSha256: sha256,
      applied: true,
      model: parts.model as PlanModel,
      principal: session.principal,
      warnings: prepared.warnings,
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
