/**
 * One comment per pull request, found again by its hidden marker and edited in place on
 * every push. Only comments the token's own identity wrote count (GraphQL viewerDidAuthor),
 * so a marker pasted by a person is never touched. Our comments in an earlier format are
 * minimized as OUTDATED; stray duplicates of the current one (two runs racing) as DUPLICATE.
 */
import type { GitHubClient, Logger } from '../github/client.ts';
import { silentLogger } from '../github/client.ts';
import { matchMarker } from './markers.ts';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface ExistingComment {
  id: string;
  databaseId: number;
  body: string;
  isMinimized: boolean;
  viewerDidAuthor: boolean;
  url: string;
}

export interface StickyResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
  /** Node ids of comments minimized now (outdated formats and duplicates). */
  minimized: string[];
}

const COMMENTS = `query idlcComments($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    issueOrPullRequest(number: $number) {
      ... on PullRequest {
        comments(first: 100, after: $cursor) {
          nodes { id databaseId body isMinimized viewerDidAuthor url }
          pageInfo { hasNextPage endCursor }
        }
      }
      ... on Issue {
        comments(first: 100, after: $cursor) {
          nodes { id databaseId body isMinimized viewerDidAuthor url }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
}`;

const MINIMIZE = `mutation idlcMinimize($id: ID!, $classifier: ReportedContentClassifiers!) {
  minimizeComment(input: { subjectId: $id, classifier: $classifier }) {
    minimizedComment { isMinimized }
  }
}`;

interface CommentsPage {
  repository: {
    issueOrPullRequest: {
      comments?: { nodes: ExistingComment[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    } | null;
  };
}

/** Every comment on the issue or pull request, oldest first. */
export async function listComments(
  gh: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<ExistingComment[]> {
  const out: ExistingComment[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: CommentsPage = await gh.graphql<CommentsPage>(COMMENTS, {
      owner: repo.owner,
      name: repo.repo,
      number,
      cursor,
    });
    const conn = page.repository.issueOrPullRequest?.comments;
    if (!conn) break;
    out.push(...conn.nodes);
    if (!conn.pageInfo.hasNextPage) break;
    cursor = conn.pageInfo.endCursor;
  }
  return out;
}

export async function minimizeComment(
  gh: GitHubClient,
  nodeId: string,
  classifier: 'OUTDATED' | 'DUPLICATE',
): Promise<void> {
  await gh.graphql(MINIMIZE, { id: nodeId, classifier });
}

export interface UpsertOptions {
  repo: RepoRef;
  /** Issue or pull request number. */
  number: number;
  /** The marker the body starts with (PLAN_MARKER, APPLY_MARKER). */
  marker: string;
  body: string;
  log?: Logger;
}

/** Create or edit our comment carrying `marker`, and minimize our outdated ones. */
export async function upsertStickyComment(gh: GitHubClient, o: UpsertOptions): Promise<StickyResult> {
  const log = o.log ?? silentLogger;
  if (!o.body.startsWith(o.marker)) throw new Error('sticky comment body must start with its marker');
  const ours = (await listComments(gh, o.repo, o.number)).filter((c) => c.viewerDidAuthor);
  const current = ours.filter((c) => matchMarker(c.body, o.marker) === 'current');
  const outdated = ours.filter((c) => !c.isMinimized && matchMarker(c.body, o.marker) === 'outdated');
  const minimized: string[] = [];
  for (const c of outdated) {
    await minimizeComment(gh, c.id, 'OUTDATED');
    minimized.push(c.id);
    log.info(`minimized outdated report comment ${c.url}`);
  }

  // the oldest visible current comment is the sticky one; others are duplicates
  const visible = current.filter((c) => !c.isMinimized);
  const keep = visible[0] ?? current[0];
  let result: StickyResult;
  if (!keep) {
    const res = await gh.rest.rest.issues.createComment({ ...o.repo, issue_number: o.number, body: o.body });
    result = { action: 'created', id: res.data.id, url: res.data.html_url, minimized };
    // a run racing us may have created one too: settle on the oldest
    const again = (await listComments(gh, o.repo, o.number)).filter(
      (c) => c.viewerDidAuthor && !c.isMinimized && matchMarker(c.body, o.marker) === 'current',
    );
    const oldest = again[0];
    if (oldest && oldest.databaseId !== res.data.id) {
      await gh.rest.rest.issues.updateComment({ ...o.repo, comment_id: oldest.databaseId, body: o.body });
      for (const dup of again.slice(1)) {
        await minimizeComment(gh, dup.id, 'DUPLICATE');
        minimized.push(dup.id);
      }
      result = { action: 'updated', id: oldest.databaseId, url: oldest.url, minimized };
    }
    return result;
  }
  for (const dup of visible.filter((c) => c !== keep)) {
    await minimizeComment(gh, dup.id, 'DUPLICATE');
    minimized.push(dup.id);
  }
  if (keep.body === o.body) return { action: 'unchanged', id: keep.databaseId, url: keep.url, minimized };
  const res = await gh.rest.rest.issues.updateComment({
    ...o.repo,
    comment_id: keep.databaseId,
    body: o.body,
  });
  return { action: 'updated', id: res.data.id, url: res.data.html_url, minimized };
}
