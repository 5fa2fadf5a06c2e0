import { planReviewEnvironment } from '../auth/oidc-subjects.ts';
import type { Stack } from '../discovery/stacks.ts';
import type { Ordered } from './order.ts';

/** One stack as a workflow sees it: everything a plan/apply job needs, from the registry. */
export interface StackEntry {
  id: string;
  dir: string;
  cloud: string;
  team: string;
  env: string;
  stack: string;
  engine: string;
  engine_version: string;
  account: string;
  region: string;
  plan_role: string;
  apply_role: string;
  github_environment: string;
  /** GitHub environment the PR plan waits behind (env plan_review), '' when none. */
  plan_environment: string;
  protected: boolean;
  wave: number;
  /** Apply runs: the merge commits to apply for this stack, in merge order. */
  merges?: { sha: string }[];
}

/** A matrix job: one stack, or several packed together when the change is large. */
export interface MatrixJob extends Partial<StackEntry> {
  /** Job display name. */
  name: string;
  /** The stacks this job runs, in order. */
  stacks: StackEntry[];
}

/** GitHub refuses a matrix of more than 256 jobs. */
export const GITHUB_MATRIX_LIMIT = 256;

/** Jobs per matrix actually used: `maxJobs` within 1..256 (GitHub's limit wins). */
export function matrixJobLimit(maxJobs: number): number {
  if (!Number.isFinite(maxJobs)) return GITHUB_MATRIX_LIMIT;
  return Math.max(1, Math.min(Math.floor(maxJobs), GITHUB_MATRIX_LIMIT));
}

export function stackEntry(s: Stack, wave: number): StackEntry {
  return {
    id: s.id,
    dir: s.dir,
    cloud: s.cloud,
    team: s.team,
    env: s.env,
    stack: s.name,
    engine: s.engine.name,
    engine_version: s.engine.version,
    account: s.target.accountId ?? s.target.project ?? '',
    region: s.target.region,
    plan_role: s.target.planRole,
    apply_role: s.target.applyRole,
    github_environment: s.target.githubEnvironment,
    plan_environment: s.target.planReview ? planReviewEnvironment(s.team, s.env) : '',
    protected: s.target.protected,
    wave,
  };
}

/**
 * Build matrix jobs for one wave. Up to `maxJobs` stacks get a job each; above that, stacks
 * are packed into `maxJobs` balanced jobs (by weight, e.g. files in the stack closure) so a
 * change touching thousands of stacks still fits GitHub's limit.
 */
export function packJobs(
  entries: StackEntry[],
  maxJobs: number,
  weight: (e: StackEntry) => number = () => 1,
): MatrixJob[] {
  const limit = matrixJobLimit(maxJobs);
  if (entries.length <= limit) return entries.map((e) => ({ name: e.id, ...e, stacks: [e] }));
  const bins = Array.from({ length: limit }, () => ({ load: 0, stacks: [] as StackEntry[] }));
  // Longest processing time first: heaviest stack to the lightest bin; ties by id for determinism.
  const sorted = [...entries].sort((a, b) => weight(b) - weight(a) || a.id.localeCompare(b.id));
  for (const e of sorted) {
    let best = bins[0] as (typeof bins)[number];
    for (const b of bins) if (b.load < best.load) best = b;
    best.load += weight(e);
    best.stacks.push(e);
  }
  return bins
    .filter((b) => b.stacks.length > 0)
    .map((b) => b.stacks.sort((x, y) => x.id.localeCompare(y.id)))
    .sort((a, b) => (a[0] as StackEntry).id.localeCompare((b[0] as StackEntry).id))
    .map((stacks, i) => ({ name: `batch ${i + 1}: ${stacks.length} stacks (${stacks[0]?.id} …)`, stacks }));
}

export interface FanOut {
  /** Plan jobs of the stacks without plan review, every wave at once. */
  matrix: { include: MatrixJob[] };
  /**
   * Plan jobs of the stacks whose env has plan_review: each job runs behind one
   * `<team>-<env>-plan` environment, so a job holds stacks of one team and env only.
   */
  reviewed: { include: MatrixJob[] };
  /** One matrix per wave, for ordered applies. */
  waves: { include: MatrixJob[] }[];
}

/**
 * The plan matrices and one matrix per wave. Each holds at most min(maxJobs, 256) jobs: when
 * the waves together have more stacks than that, the plan matrix packs them into batches too,
 * even if each wave alone fits. Apply runs pass `merges` (stack id → merge commits in order).
 */
export function fanOut(
  stacks: Stack[],
  ordered: Ordered,
  maxJobs: number,
  merges?: Map<string, string[]>,
): FanOut {
  const limit = matrixJobLimit(maxJobs);
  const byId = new Map(stacks.map((s) => [s.id, s]));
  const entry = (s: Stack): StackEntry => {
    const e = stackEntry(s, ordered.wave.get(s.id) ?? 0);
    const m = merges?.get(s.id);
    return m ? { ...e, merges: m.map((sha) => ({ sha })) } : e;
  };
  const waves = ordered.waves.map((ids) =>
    packJobs(
      ids.map((id) => entry(byId.get(id) as Stack)),
      limit,
    ),
  );
  const inWaveOrder = ordered.waves.flat().map((id) => byId.get(id) as Stack);
  const plain = inWaveOrder.filter((s) => !s.target.planReview).map(entry);
  const reviewed = inWaveOrder.filter((s) => s.target.planReview).map(entry);
  const byEnvironment = new Map<string, StackEntry[]>();
  for (const e of reviewed)
    byEnvironment.set(e.plan_environment, [...(byEnvironment.get(e.plan_environment) ?? []), e]);
  const reviewedJobs =
    reviewed.length <= limit
      ? reviewed.map((e) => ({ name: e.id, ...e, stacks: [e] }))
      : [...byEnvironment.values()].map((group) => {
          const first = group[0] as StackEntry;
          return {
            name: `${first.plan_environment}: ${group.length} stacks`,
            plan_environment: first.plan_environment,
            stacks: group,
          };
        });
  return {
    matrix: {
      include:
        plain.length <= limit
          ? plain.map((e) => ({ name: e.id, ...e, stacks: [e] }))
          : packJobs(plain, limit),
    },
    reviewed: { include: reviewedJobs },
    waves: waves.map((include) => ({ include })),
  };
}

/** A mermaid graph of affected stacks grouped by wave, edges pointing at what runs first. */
export function mermaidGraph(ordered: Ordered): string {
  const ids = new Map<string, string>();
  const node = (id: string) => {
    let n = ids.get(id);
    if (!n) {
      n = `s${ids.size}`;
      ids.set(id, n);
    }
    return n;
  };
  const lines = ['graph LR'];
  ordered.waves.forEach((wave, i) => {
    lines.push(`  subgraph wave${i}["wave ${i}"]`);
    for (const id of wave) lines.push(`    ${node(id)}["${id.replaceAll('"', '')}"]`);
    lines.push('  end');
  });
  for (const [a, b] of ordered.edges) lines.push(`  ${node(b)} --> ${node(a)}`);
  return lines.join('\n');
}
