import { WORKFLOWS } from '../auth/oidc-subjects.ts';
import { type GitHubRequest, httpStatus } from '../github/request.ts';
import { UsageError } from '../util/errors.ts';
import type { Range } from './event.ts';
import { ensureCommit, type Git, isAncestor } from './git.ts';

/** At most this many first-parent commits are caught up on in one apply run. */
export const MAX_APPLY_COMMITS = 100;

export interface ApplyRange {
  range: Extract<Range, { mode: 'diff' }>;
  /** First-parent commits of the default branch in the range, oldest first (merge order). */
  commits: string[];
  /** Where the range starts and why. */
  from: { sha: string; why: string };
}

/**
 * The head of the newest successful run of the apply workflow on the default branch (a push):
 * every merge before it was applied or refused with a report. undefined when there is none.
 */
export async function lastSuccessfulApply(
  gh: GitHubRequest,
  repo: { owner: string; repo: string },
  defaultBranch: string,
): Promise<string | undefined> {
  let runs: { head_sha?: string; event?: string; head_branch?: string; path?: string; conclusion?: string }[];
  try {
    const res = await gh.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
      owner: repo.owner,
      repo: repo.repo,
      workflow_id: WORKFLOWS.apply.split('/').pop(),
      branch: defaultBranch,
      event: 'push',
      status: 'success',
      per_page: 20,
    });
    runs = (res.data as { workflow_runs?: typeof runs }).workflow_runs ?? [];
  } catch (err) {
    const s = httpStatus(err);
    throw new UsageError(
      `cannot find the last successful apply run${s ? ` (HTTP ${s})` : ''}: ${(err as Error).message}`,
      'the detect job of idlc-apply.yml needs `permissions: actions: read`; without the start of the range, merges could go unapplied',
    );
  }
  return runs.find(
    (r) =>
      r.event === 'push' &&
      r.head_branch === defaultBranch &&
      r.conclusion === 'success' &&
      (r.path ?? '').replace(/@.*$/, '') === WORKFLOWS.apply,
  )?.head_sha;
}

/**
 * The commits an apply run must cover: from the last successful apply run's head (when it is an
 * ancestor of this push) to the pushed commit, along the first-parent history of the default
 * branch. A run cancelled by `concurrency` leaves its merges to the next run this way. Without
 * a successful run yet, the push's own range (before..after) is used.
 */
export async function applyRange(
  git: Git,
  o: { head: string; before?: string; lastApplied?: string },
): Promise<ApplyRange> {
  await ensureCommit(git, o.head, 'pushed');
  let from: ApplyRange['from'] | undefined;
  if (o.lastApplied && o.lastApplied !== o.head) {
    await ensureCommit(git, o.lastApplied, 'last applied').catch(() => undefined);
    if (await isAncestor(git, o.lastApplied, o.head).catch(() => false)) {
      from = {
        sha: o.lastApplied,
        why: `the last successful apply run was at ${o.lastApplied.slice(0, 12)}`,
      };
    }
  }
  if (!from && o.before && !/^0{40}$/.test(o.before)) {
    await ensureCommit(git, o.before, 'previous push');
    from = {
      sha: o.before,
      why: `no successful apply run found at an ancestor; the push started at ${o.before.slice(0, 12)}`,
    };
  }
  if (!from) {
    throw new UsageError(
      `no start for the apply range of ${o.head.slice(0, 12)}: no successful apply run and no previous push`,
      'run idlc-apply once with workflow_dispatch on the default branch after the first merge, or push a merge',
    );
  }
  const commits = (await git(['rev-list', '--first-parent', '--reverse', `${from.sha}..${o.head}`]))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (commits.length > MAX_APPLY_COMMITS) {
    throw new UsageError(
      `${commits.length} merges since ${from.sha.slice(0, 12)} were never applied (more than ${MAX_APPLY_COMMITS})`,
      'something kept the apply workflow from succeeding; fix it, then apply the backlog stack by stack (idlc docs: break-glass)',
    );
  }
  return {
    range: {
      mode: 'diff',
      base: from.sha,
      head: o.head,
      description: `merges ${from.sha.slice(0, 7)}..${o.head.slice(0, 7)} (${commits.length})`,
    },
    commits,
    from,
  };
}
