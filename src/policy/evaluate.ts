import { join } from 'node:path';
import type { Registry } from '../config/schema.ts';
import type { Stack } from '../discovery/stacks.ts';
import type { PolicyVerdict } from '../engine/provenance.ts';
import { assertPlanText, parseErrorMessage } from '../plan/encoding.ts';
import { UsageError } from '../util/errors.ts';
import { type ManifestContext, planContext } from './context.ts';
import { applyWaivers, countByStatus, type PolicyResult, result } from './findings.ts';
import type { Manifest } from './manifests.ts';
import { emptinessWarnings, evalPolicy, type PolicyExec, toolExec } from './opa-eval.ts';
import { loadWaivers, type Waiver } from './waivers.ts';

export const PLAN_POLICY_DIR = 'policy/terraform';
export const MANIFEST_POLICY_DIR = 'policy/kubernetes';

/** Concern packages each policy set is expected to hold (a missing one is reported). */
export const PLAN_PACKAGES = ['tags', 's3', 'iam', 'network', 'kms', 'gpu', 'protected', 'bedrock'] as const;
export const MANIFEST_PACKAGES = ['resources', 'podsecurity', 'images', 'labels', 'gpu', 'network'] as const;

export interface PlanPolicyOptions {
  /** Repository root (policy/ and policy/waivers.yaml are read from here). */
  root: string;
  /** `tofu show -json` output, parsed or as text. */
  planJson: unknown;
  stack: Stack;
  registry: Registry;
  /** PR approvals, e.g. ["destroy-approved"]. */
  approvals?: string[];
  now?: Date;
  exec?: PolicyExec;
  /** Default: policy/waivers.yaml of root. */
  waivers?: Waiver[];
}

function asPlan(planJson: unknown): Record<string, unknown> {
  let plan = planJson;
  if (typeof plan === 'string') {
    const text = assertPlanText(plan);
    try {
      plan = JSON.parse(text);
    } catch (err) {
      throw new UsageError(
        `the plan is not JSON: ${parseErrorMessage(err)}`,
        'pass the output of `tofu show -json <planfile>`, not the binary plan file',
      );
    }
  }
  if (!plan || typeof plan !== 'object' || Array.isArray(plan) || !('format_version' in plan)) {
    throw new UsageError(
      'the plan JSON has no format_version, so it is not `tofu show -json` output',
      'run `tofu show -json <planfile> > plan.json` and pass that file',
    );
  }
  return plan as Record<string, unknown>;
}

/** OPA plan policies + waivers for one stack: what the engine calls after `show -json`. */
export async function evaluatePlanPolicy(o: PlanPolicyOptions): Promise<PolicyResult> {
  const plan = asPlan(o.planJson);
  const policyDir = join(o.root, PLAN_POLICY_DIR);
  const raw = await evalPolicy({
    exec: o.exec ?? toolExec,
    policyDir,
    entrypoint: 'terraform.main',
    input: { plan, context: planContext(o.stack, o.registry, o.approvals) },
    cwd: o.root,
  });
  const waivers = o.waivers ?? (await loadWaivers(o.root));
  const applied = applyWaivers(raw, waivers, o.stack.id, o.now ?? new Date());
  return result(applied.findings, [
    ...emptinessWarnings(raw, PLAN_POLICY_DIR, PLAN_PACKAGES),
    ...applied.warnings,
  ]);
}

export interface ManifestPolicyOptions {
  root: string;
  manifests: Manifest[];
  context: ManifestContext;
  /** What waivers match as "stack": the manifests folder relative to root. */
  target: string;
  now?: Date;
  exec?: PolicyExec;
  waivers?: Waiver[];
}

/** OPA manifest policies + waivers for one folder of Kubernetes objects. */
export async function evaluateManifestPolicy(o: ManifestPolicyOptions): Promise<PolicyResult> {
  const raw = await evalPolicy({
    exec: o.exec ?? toolExec,
    policyDir: join(o.root, MANIFEST_POLICY_DIR),
    entrypoint: 'kubernetes.main',
    input: { manifests: o.manifests.map((m) => m.object), context: o.context },
    cwd: o.root,
  });
  const waivers = o.waivers ?? (await loadWaivers(o.root));
  const applied = applyWaivers(raw, waivers, o.target, o.now ?? new Date());
  const warnings = [...emptinessWarnings(raw, MANIFEST_POLICY_DIR, MANIFEST_PACKAGES), ...applied.warnings];
  if (o.manifests.length === 0)
    warnings.unshift(`no Kubernetes objects found in ${o.target}: nothing was checked`);
  return result(applied.findings, warnings);
}

/** The engine's provenance record of a policy run. */
export function planPolicyVerdict(r: PolicyResult): PolicyVerdict {
  const n = countByStatus(r.findings);
  const parts = [`${n.deny} denied`, `${n.waived} waived`, `${n.warn} warnings`];
  return {
    evaluated: !r.warnings.some((w) => w.startsWith('no policies found') || w.includes('holds no rules')),
    denied: r.denied,
    violations: n.deny,
    summary: parts.join(', '),
  };
}
