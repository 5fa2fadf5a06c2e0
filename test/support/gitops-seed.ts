import type { TempRepo } from './git-repo.ts';
import type { GitHubDouble } from './github-double/index.ts';

/** Put a real git repository's HEAD tree on the double's default branch, as one commit. */
export function seedFromGit(
  gh: GitHubDouble,
  repo: TempRepo,
  message = 'seed from a real repository',
): string {
  const files: Record<string, string> = {};
  for (const path of repo.git('ls-files', '-z').split('\0').filter(Boolean)) {
    files[path] = repo.git('show', `HEAD:${path}`);
  }
  const branch = `heads/${gh.state.defaultBranch}`;
  const commit = gh.state.addCommit({
    message,
    files,
    parents: [gh.state.refs.get(branch) ?? ''].filter(Boolean),
  });
  gh.state.refs.set(branch, commit.sha);
  return commit.sha;
}

/** The file at the tip of a branch of the double. */
export function fileAt(gh: GitHubDouble, path: string, branch = gh.state.defaultBranch): string | undefined {
  const sha = gh.state.refs.get(`heads/${branch}`);
  return sha ? gh.state.commits.get(sha)?.files.get(path) : undefined;
}

/** Commits from the tip back to (not including) `since`, newest first (first parents). */
export function commitsSince(gh: GitHubDouble, since: string, branch = gh.state.defaultBranch) {
  const out = [];
  let sha = gh.state.refs.get(`heads/${branch}`);
  while (sha && sha !== since) {
    const c = gh.state.commits.get(sha);
    if (!c) break;
    out.push(c);
    sha = c.parents[0];
  }
  return out;
}
