import type { GitHubRequest } from '../github/request.ts';
import { UsageError } from '../util/errors.ts';

export type { GitHubRequest };

export interface MergedPullRequest {
  number: number;
  headSha: string;
  headRef: string;
  /** owner/name of the head repository (a fork's for fork PRs). */
  headRepository: string;
  baseRef: string;
  mergedAt: string;
  url: string;
  author: string;
  labels: string[];
}

interface PullLike {
  number: number;
  state?: string;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  html_url?: string;
  user?: { login?: string } | null;
  labels?: { name?: string }[];
  head: { sha: string; ref?: string; repo?: { full_name?: string } | null };
  base: { ref: string; repo?: { full_name?: string } | null };
}

/**
 * The PR a merge commit came from, and the head sha its plan bundle was made at
 * (`GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls`). Only a merged PR whose merge commit
 * is this commit counts: a commit that merely appears in an open PR, or a direct push to the
 * default branch, has no reviewed plan and is refused.
 */
export async function mergedPullRequestFor(
  gh: GitHubRequest,
  repo: { owner: string; repo: string },
  mergeSha: string,
): Promise<MergedPullRequest> {
  let pulls: PullLike[];
  try {
    const res = await gh.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      owner: repo.owner,
      repo: repo.repo,
      commit_sha: mergeSha,
      per_page: 100,
    });
    pulls = res.data as PullLike[];
  } catch (err) {
    const status = (err as { status?: number }).status;
    throw new UsageError(
      `cannot list the pull requests of commit ${mergeSha} in ${repo.owner}/${repo.repo}` +
        `${status ? ` (HTTP ${status})` : ''}: ${(err as Error).message}`,
      'the apply job needs `permissions: pull-requests: read` and the GitHub token',
    );
  }
  const merged = pulls.filter((p) => p.merged_at && p.merge_commit_sha === mergeSha);
  const pr = merged[0];
  if (!pr) {
    const open = pulls.map((p) => `#${p.number} (${p.merged_at ? 'merged as another commit' : p.state})`);
    throw new UsageError(
      `commit ${mergeSha} is not the merge commit of a pull request${open.length ? `; it appears in ${open.join(', ')}` : ''}`,
      'applies run only for merged PRs, with the plan reviewed on the PR. Open a PR for this change',
    );
  }
  return {
    number: pr.number,
    headSha: pr.head.sha,
    headRef: pr.head.ref ?? '',
    headRepository: pr.head.repo?.full_name ?? `${repo.owner}/${repo.repo}`,
    baseRef: pr.base.ref,
    mergedAt: pr.merged_at ?? '',
    url: pr.html_url ?? '',
    author: pr.user?.login ?? '',
    labels: (pr.labels ?? []).map((l) => l.name ?? '').filter(Boolean),
  };
}
