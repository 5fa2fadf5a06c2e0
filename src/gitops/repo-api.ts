/**
 * What the gitops commit path needs from the repository host, as an interface, and its GitHub
 * GraphQL implementation: the head of a branch, file texts at an exact commit, and
 * `createCommitOnBranch` — a signed ("Verified") commit made by GitHub that lands only if the
 * branch still points at `expectedHeadOid` (a compare-and-swap).
 */
import type { GitHubClient } from '../github/client.ts';

export interface FileAddition {
  path: string;
  /** UTF-8 text of the whole file. */
  contents: string;
}

export interface CommitRequest {
  branch: string;
  expectedHeadOid: string;
  headline: string;
  body: string;
  additions: FileAddition[];
}

export interface CreatedCommit {
  oid: string;
  url: string;
}

export interface RepoApi {
  /** The commit a branch points at; undefined when the branch does not exist. */
  headOid(branch: string): Promise<string | undefined>;
  /** Texts of files at an exact commit; null for a path that does not exist there. */
  readFiles(oid: string, paths: string[]): Promise<Map<string, string | null>>;
  /** Throws StaleHeadError when the branch moved past expectedHeadOid. */
  createCommit(req: CommitRequest): Promise<CreatedCommit>;
}

/** The branch moved since it was read: re-read and re-apply. */
export class StaleHeadError extends Error {
  constructor(
    readonly branch: string,
    readonly expected: string,
  ) {
    super(`branch ${branch} no longer points at ${expected.slice(0, 12)}`);
    this.name = 'StaleHeadError';
  }
}

interface GraphqlErrorLike {
  errors?: { type?: string; message?: string }[];
  message?: string;
}

function isStale(err: unknown): boolean {
  const e = err as GraphqlErrorLike;
  if (e?.errors?.some((x) => x.type === 'STALE_DATA' || /Expected branch to point to/.test(x.message ?? '')))
    return true;
  return /Expected branch to point to/.test(e?.message ?? '');
}

/** `path` → a GraphQL alias-safe name. */
const alias = (i: number) => `f${i}`;

export function githubRepoApi(
  gh: Pick<GitHubClient, 'graphql'>,
  repo: { owner: string; repo: string },
): RepoApi {
  const nameWithOwner = `${repo.owner}/${repo.repo}`;
  return {
    async headOid(branch) {
      const res = await gh.graphql<{ repository: { ref: { target: { oid: string } } | null } }>(
        `query idlcHead($owner: String!, $name: String!, $ref: String!) {
          repository(owner: $owner, name: $name) { ref(qualifiedName: $ref) { target { oid } } }
        }`,
        { owner: repo.owner, name: repo.repo, ref: `refs/heads/${branch}` },
      );
      return res.repository.ref?.target.oid;
    },

    async readFiles(oid, paths) {
      const out = new Map<string, string | null>();
      // 50 blobs per query keeps each response small and under GitHub's node limits
      for (let start = 0; start < paths.length; start += 50) {
        const chunk = paths.slice(start, start + 50);
        const fields = chunk
          .map((_, i) => `${alias(i)}: object(expression: $e${i}) { ... on Blob { text isBinary } }`)
          .join('\n');
        const vars = chunk.map((_, i) => `$e${i}: String!`).join(', ');
        const res = await gh.graphql<{
          repository: Record<string, { text: string | null; isBinary: boolean } | null>;
        }>(
          `query idlcFiles($owner: String!, $name: String!, ${vars}) {
            repository(owner: $owner, name: $name) { ${fields} }
          }`,
          {
            owner: repo.owner,
            name: repo.repo,
            ...Object.fromEntries(chunk.map((p, i) => [`e${i}`, `${oid}:${p}`])),
          },
        );
        chunk.forEach((p, i) => {
          const blob = res.repository[alias(i)];
          out.set(p, blob && !blob.isBinary && typeof blob.text === 'string' ? blob.text : null);
        });
      }
      return out;
    },

    async createCommit(req) {
      try {
        const res = await gh.graphql<{ createCommitOnBranch: { commit: { oid: string; url: string } } }>(
          `mutation idlcCommit($input: CreateCommitOnBranchInput!) {
            createCommitOnBranch(input: $input) { commit { oid url } }
          }`,
          {
            input: {
              branch: { repositoryNameWithOwner: nameWithOwner, branchName: req.branch },
              expectedHeadOid: req.expectedHeadOid,
              message: { headline: req.headline, ...(req.body ? { body: req.body } : {}) },
              fileChanges: {
                additions: req.additions.map((a) => ({
                  path: a.path,
                  contents: Buffer.from(a.contents, 'utf8').toString('base64'),
                })),
              },
            },
          },
        );
        return res.createCommitOnBranch.commit;
      } catch (err) {
        if (isStale(err)) throw new StaleHeadError(req.branch, req.expectedHeadOid);
        throw err;
      }
    },
  };
}
