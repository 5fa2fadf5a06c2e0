import { type GitHubRequest, httpStatus } from '../github/request.ts';
import { UsageError } from '../util/errors.ts';

/**
 * Who may approve a stack's change: the registry's `approvers` (GitHub logins) and active
 * members of the team's owner teams (`@org/team`). Reading team membership needs a token with
 * organization `members: read` (the idlc App); a workflow token cannot, and then only the
 * listed approvers count — fail closed.
 */
export interface Approvers {
  logins: string[];
  ownerTeams: string[];
}

export interface PullRequestParty {
  number: number;
  headSha: string;
  author: string;
}

interface ReviewLike {
  id: number;
  user?: { login?: string } | null;
  state?: string;
  commit_id?: string | null;
  submitted_at?: string | null;
}

async function allPages<T>(gh: GitHubRequest, route: string, params: Record<string, unknown>): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= 30; page++) {
    const res = await gh.request(route, { ...params, per_page: 100, page });
    const batch = res.data as T[];
    out.push(...batch);
    if (batch.length < 100) break;
  }
  return out;
}

/** Membership checks, cached per login; `unknown` when the token may not read memberships. */
export function membershipChecker(gh: GitHubRequest, approvers: Approvers) {
  const cache = new Map<string, Promise<'yes' | 'no' | 'unknown'>>();
  const listed = new Set(approvers.logins.map((l) => l.toLowerCase()));
  const check = async (login: string): Promise<'yes' | 'no' | 'unknown'> => {
    if (listed.has(login.toLowerCase())) return 'yes';
    let unknown = false;
    for (const team of approvers.ownerTeams) {
      const m = /^@([\w.-]+)\/([\w.-]+)$/.exec(team);
      if (!m) continue;
      try {
        const res = await gh.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', {
          org: m[1],
          team_slug: m[2],
          username: login,
        });
        if ((res.data as { state?: string }).state === 'active') return 'yes';
      } catch (err) {
        const s = httpStatus(err);
        if (s === 404) continue;
        unknown = true;
      }
    }
    return unknown ? 'unknown' : 'no';
  };
  return (login: string) => {
    const key = login.toLowerCase();
    let p = cache.get(key);
    if (!p) {
      p = check(login);
      cache.set(key, p);
    }
    return p;
  };
}

/**
 * The PR's final head must carry an approval by someone who owns the stack and is not the
 * author. The latest review of each reviewer counts; an approval of an earlier commit is
 * stale and does not count. Returns who approved; throws with the reason otherwise.
 */
export async function verifyApproval(
  gh: GitHubRequest,
  repo: { owner: string; repo: string },
  pr: PullRequestParty,
  approvers: Approvers,
  stackId: string,
): Promise<string[]> {
  let reviews: ReviewLike[];
  try {
    reviews = await allPages<ReviewLike>(gh, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner: repo.owner,
      repo: repo.repo,
      pull_number: pr.number,
    });
  } catch (err) {
    throw new UsageError(
      `stack ${stackId}: cannot read the reviews of PR #${pr.number}${httpStatus(err) ? ` (HTTP ${httpStatus(err)})` : ''}`,
      'nothing was applied. The apply job needs `permissions: pull-requests: read`',
    );
  }
  const latest = new Map<string, ReviewLike>();
  for (const r of [...reviews].sort(
    (a, b) => (a.submitted_at ?? '').localeCompare(b.submitted_at ?? '') || a.id - b.id,
  )) {
    const login = r.user?.login;
    if (!login || !['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state ?? '')) continue;
    latest.set(login.toLowerCase(), r);
  }
  const isOwner = membershipChecker(gh, approvers);
  const approved: string[] = [];
  const notes: string[] = [];
  let unreadable = false;
  for (const r of latest.values()) {
    const login = r.user?.login ?? '';
    if (r.state !== 'APPROVED') continue;
    if (login.toLowerCase() === pr.author.toLowerCase()) {
      notes.push(`${login} is the author`);
      continue;
    }
    if (r.commit_id !== pr.headSha) {
      notes.push(`${login} approved ${String(r.commit_id).slice(0, 12)}, not the final head (stale)`);
      continue;
    }
    const owner = await isOwner(login);
    if (owner === 'yes') approved.push(login);
    else if (owner === 'unknown') {
      unreadable = true;
      notes.push(`${login}: team membership could not be read`);
    } else notes.push(`${login} is not an owner of this stack`);
  }
  if (approved.length > 0) return approved.sort();
  throw new UsageError(
    `stack ${stackId}: PR #${pr.number} has no approval of its final head ${pr.headSha.slice(0, 12)} by an owner who is not the author${notes.length ? ` (${notes.join('; ')})` : ''}`,
    unreadable
      ? 'nothing was applied. Give the apply job the idlc App token (organization members: read) or list approvers in idlc.yaml (teams.<team>.approvers), then re-run'
      : `nothing was applied. An owner (${[...approvers.ownerTeams, ...approvers.logins].join(', ')}) must approve the PR's final commit; then re-run this apply`,
  );
}

interface IssueEventLike {
  event?: string;
  actor?: { login?: string } | null;
  label?: { name?: string } | null;
  created_at?: string;
  id?: number;
}

/**
 * Labels that count as approvals (e.g. `destroy-approved`): currently on the PR and last
 * added by an owner who is not the author. A label the author added themselves counts for
 * nothing.
 */
export async function approvedLabels(
  gh: GitHubRequest,
  repo: { owner: string; repo: string },
  pr: PullRequestParty,
  current: string[],
  approvers: Approvers,
): Promise<string[]> {
  if (current.length === 0) return [];
  const events = await allPages<IssueEventLike>(
    gh,
    'GET /repos/{owner}/{repo}/issues/{issue_number}/events',
    {
      owner: repo.owner,
      repo: repo.repo,
      issue_number: pr.number,
    },
  );
  const lastAdded = new Map<string, string>();
  for (const e of events) {
    if (e.event === 'labeled' && e.label?.name && e.actor?.login) lastAdded.set(e.label.name, e.actor.login);
  }
  const isOwner = membershipChecker(gh, approvers);
  const out: string[] = [];
  for (const label of current) {
    const by = lastAdded.get(label);
    if (!by || by.toLowerCase() === pr.author.toLowerCase()) continue;
    if ((await isOwner(by)) === 'yes') out.push(label);
  }
  return out.sort();
}
