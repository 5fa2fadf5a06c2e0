import { UsageError } from '../util/errors.ts';
import { ensureCommit, type Git, isAncestor, mergeBase, resolveCommit, ZERO_SHA } from './git.ts';

/** What to compare, decided from the GitHub event that started the run. */
export type Range =
  | { mode: 'diff'; base: string; head: string; description: string }
  | { mode: 'all'; head: string; description: string; slice?: { index: number; count: number } }
  | { mode: 'explicit'; head: string; stacks: string[]; description: string };

interface EventPayload {
  pull_request?: { base: { sha: string; ref?: string }; head: { sha: string } };
  merge_group?: { base_sha: string; head_sha: string };
  before?: string;
  after?: string;
  forced?: boolean;
  ref?: string;
  repository?: { default_branch?: string };
  inputs?: Record<string, string | undefined>;
}

export interface RangeOptions {
  /** Rotating drift slices for schedule runs (1 = every stack each run). */
  driftSlices?: number;
  now?: Date;
}

/**
 * The merge base, deepening a shallow clone until the two histories meet (50, then 500
 * commits, then all of it). A full clone answers at once.
 */
async function mergeBaseDeepening(git: Git, a: string, b: string): Promise<string | undefined> {
  let mb = await mergeBase(git, a, b);
  for (const args of [['--deepen=50'], ['--deepen=500'], ['--unshallow']]) {
    if (mb) return mb;
    const shallow =
      (await git(['rev-parse', '--is-shallow-repository']).catch(() => 'false')).trim() === 'true';
    if (!shallow) return undefined;
    await git(['fetch', '--no-tags', '--quiet', ...args, 'origin', a, b]).catch(() => undefined);
    mb = await mergeBase(git, a, b);
  }
  return mb;
}

/**
 * Decide the comparison for any trigger: pull_request (merge-base..head, so commits merged
 * into the base branch meanwhile don't count), push (before..after, first push and force
 * push included), merge_group, workflow_dispatch (explicit stacks or refs), schedule (all
 * stacks or a rotating slice). Missing commits in shallow clones are fetched.
 */
export async function rangeFromEvent(
  git: Git,
  eventName: string,
  payload: EventPayload,
  opts: RangeOptions = {},
): Promise<Range> {
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_review': {
      const pr = payload.pull_request;
      if (!pr) throw new UsageError(`${eventName} event without pull_request in the payload`);
      await ensureCommit(git, pr.head.sha, 'pull request head');
      await ensureCommit(git, pr.base.sha, 'pull request base');
      const mb = await mergeBaseDeepening(git, pr.base.sha, pr.head.sha);
      if (!mb) {
        throw new UsageError(
          `no merge base between ${pr.base.sha} and ${pr.head.sha}`,
          'check out with `fetch-depth: 0` so the history that joins them is present',
        );
      }
      return {
        mode: 'diff',
        base: mb,
        head: pr.head.sha,
        description: `pull request ${mb.slice(0, 7)}...${pr.head.sha.slice(0, 7)}`,
      };
    }
    case 'merge_group': {
      const mg = payload.merge_group;
      if (!mg) throw new UsageError('merge_group event without merge_group in the payload');
      await ensureCommit(git, mg.head_sha, 'merge group head');
      await ensureCommit(git, mg.base_sha, 'merge group base');
      return {
        mode: 'diff',
        base: mg.base_sha,
        head: mg.head_sha,
        description: `merge group ${mg.base_sha.slice(0, 7)}..${mg.head_sha.slice(0, 7)}`,
      };
    }
    case 'push': {
      const after = payload.after;
      if (!after) throw new UsageError('push event without "after" in the payload');
      await ensureCommit(git, after, 'pushed');
      const before = payload.before;
      if (!before || ZERO_SHA.test(before)) {
        // First push of a branch: compare with the default branch it grew from.
        const def = payload.repository?.default_branch;
        const defRef = def ? `origin/${def}` : undefined;
        const mb = defRef ? await mergeBase(git, defRef, after).catch(() => undefined) : undefined;
        if (mb && mb !== after)
          return { mode: 'diff', base: mb, head: after, description: `new branch since ${defRef}` };
        return { mode: 'all', head: after, description: 'first push with no base: every stack' };
      }
      await ensureCommit(git, before, 'previous push');
      const forced = payload.forced || !(await isAncestor(git, before, after));
      return {
        mode: 'diff',
        base: before,
        head: after,
        description: `${forced ? 'force push' : 'push'} ${before.slice(0, 7)}..${after.slice(0, 7)}`,
      };
    }
    case 'workflow_dispatch': {
      const inputs = payload.inputs ?? {};
      const head = await resolveCommit(git, inputs['head'] || 'HEAD');
      const stacks = (inputs['stacks'] ?? '')
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      if (stacks.length > 0)
        return { mode: 'explicit', head, stacks, description: `dispatch: ${stacks.join(', ')}` };
      if (inputs['base']) {
        const base = await resolveCommit(git, inputs['base']);
        return {
          mode: 'diff',
          base,
          head,
          description: `dispatch ${inputs['base']}..${inputs['head'] || 'HEAD'}`,
        };
      }
      return { mode: 'all', head, description: 'dispatch: every stack' };
    }
    case 'schedule': {
      const head = await resolveCommit(git, 'HEAD');
      const count = Math.max(1, opts.driftSlices ?? 1);
      if (count === 1) return { mode: 'all', head, description: 'schedule: every stack' };
      const day = Math.floor((opts.now ?? new Date()).getTime() / 86_400_000);
      const index = day % count;
      return {
        mode: 'all',
        head,
        slice: { index, count },
        description: `schedule: drift slice ${index + 1}/${count}`,
      };
    }
    default:
      throw new UsageError(
        `event "${eventName}" is not supported by detect`,
        'trigger on pull_request, push, merge_group, workflow_dispatch or schedule',
      );
  }
}
