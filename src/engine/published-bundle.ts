import type { Stack } from '../discovery/stacks.ts';
import { checkName } from '../report/checks.ts';
import type { GitHubRequest } from './merge-pr.ts';

/** How a plan check run carries the bundle hash: its external_id. */
export const BUNDLE_EXTERNAL_ID = /^idlc-bundle:([0-9a-f]{64})$/;
export const bundleExternalId = (sha256: string) => `idlc-bundle:${sha256}`;

interface CheckRunLike {
  id: number;
  external_id?: string | null;
  completed_at?: string | null;
  app?: { slug?: string } | null;
}

/**
 * The bundle sha256 the report step published with the stack's PR check
 * (`idlc/plan: <team>/<env>/<stack>` on the PR head commit), newest first. This anchor lives
 * outside the team bucket the plan role can write, so a bundle swapped after review is caught.
 */
export async function publishedBundleSha256(
  gh: GitHubRequest,
  repo: { owner: string; repo: string },
  headSha: string,
  stack: Pick<Stack, 'id' | 'team' | 'env' | 'name' | 'dir'>,
): Promise<string | undefined> {
  const res = await gh.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
    owner: repo.owner,
    repo: repo.repo,
    ref: headSha,
    check_name: checkName(stack),
    filter: 'latest',
    per_page: 100,
  });
  const runs = ((res.data as { check_runs?: CheckRunLike[] }).check_runs ?? [])
    .filter((r) => BUNDLE_EXTERNAL_ID.test(r.external_id ?? ''))
    .sort((a, b) => (b.completed_at ?? '').localeCompare(a.completed_at ?? '') || b.id - a.id);
  const m = BUNDLE_EXTERNAL_ID.exec(runs[0]?.external_id ?? '');
  return m?.[1];
}
