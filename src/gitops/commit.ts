/**
 * The one commit path of every automated change under sdlc/ (pin updates, promotions to
 * unprotected envs, infra outputs): read the branch head, read the files at exactly that
 * commit, compute the new texts, and commit them with `expectedHeadOid` = that head. When
 * another writer got there first, GitHub refuses (STALE_DATA): wait (exponential backoff with
 * full jitter), re-read the new head and re-apply the change to what is there now, so no
 * writer's commit is lost and none is based on stale text. Bounded: after `maxAttempts` the
 * error says so.
 */
import type { Logger } from '../github/client.ts';
import { UsageError } from '../util/errors.ts';
import { type CreatedCommit, type FileAddition, type RepoApi, StaleHeadError } from './repo-api.ts';

export interface ChangeSet {
  additions: FileAddition[];
  headline: string;
  body: string;
}

/**
 * Compute the change from the files at `head`. Return null when there is nothing to change
 * (no commit is made). Called again after every refused attempt, on the new head.
 */
export type ComputeChange = (
  read: (paths: string[]) => Promise<Map<string, string | null>>,
  head: string,
) => Promise<ChangeSet | null>;

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 10,
  baseMs: 400,
  capMs: 10_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
};

export interface CommitOutcome {
  changed: boolean;
  commit?: CreatedCommit;
  /** The head the change was computed on (the commit's parent when changed). */
  base: string;
  attempts: number;
  change?: ChangeSet;
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, p: Pick<RetryPolicy, 'baseMs' | 'capMs' | 'random'>): number {
  return Math.floor(p.random() * Math.min(p.capMs, p.baseMs * 2 ** attempt));
}

export async function commitWithRetry(opts: {
  api: RepoApi;
  branch: string;
  compute: ComputeChange;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
}): Promise<CommitOutcome> {
  const policy = { ...DEFAULT_RETRY, ...opts.retry };
  for (let attempt = 1; ; attempt++) {
    const head = await opts.api.headOid(opts.branch);
    if (!head) {
      throw new UsageError(
        `branch ${opts.branch} does not exist`,
        'pass an existing branch (default: the default branch)',
      );
    }
    const change = await opts.compute((paths) => opts.api.readFiles(head, paths), head);
    if (!change || change.additions.length === 0) return { changed: false, base: head, attempts: attempt };
    try {
      const commit = await opts.api.createCommit({
        branch: opts.branch,
        expectedHeadOid: head,
        headline: change.headline,
        body: change.body,
        additions: change.additions,
      });
      return { changed: true, commit, base: head, attempts: attempt, change };
    } catch (err) {
      if (!(err instanceof StaleHeadError)) throw err;
      if (attempt >= policy.maxAttempts) {
        throw new UsageError(
          `${opts.branch} kept moving: ${attempt} attempts to commit "${change.headline}" were each overtaken by another commit`,
          'run the job again (nothing was committed); if this repeats, serialise the writers with a workflow concurrency group',
        );
      }
      const wait = backoffMs(attempt - 1, policy);
      opts.log?.info(
        `${opts.branch} moved past ${head.slice(0, 12)}; re-reading and re-applying in ${wait} ms (attempt ${attempt + 1}/${policy.maxAttempts})`,
      );
      await policy.sleep(wait);
    }
  }
}
