/**
 * GitHub's GraphQL API as a contract: every document is parsed and validated against the
 * published schema (@octokit/graphql-schema, built once per process), then executed by
 * graphql-js against resolvers over the in-memory state. Resolvers exist for what the
 * toolkit uses; anything else resolves to null, and graphql-js reports a null in a
 * non-null field as an error, so the double never answers with a shape GitHub would not.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  buildClientSchema,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import type { Identity } from './identities.ts';
import { denialMessage, GRAPHQL_MUTATION_PERMISSIONS, permits } from './permissions.ts';
import type { Actor, CommentRecord, CommitRecord, DoubleState, IssueRecord } from './state.ts';

/** The package exports only its ESM entry, so find its folder the way Node would. */
function schemaFile(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@octokit', 'graphql-schema', 'schema.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir)
      throw new Error('github double: @octokit/graphql-schema is not installed (npm ci)');
  }
}

let cachedSchema: Promise<GraphQLSchema> | undefined;

/** The schema from @octokit/graphql-schema's introspection JSON (its SDL has duplicate fields). */
export function graphqlSchema(): Promise<GraphQLSchema> {
  cachedSchema ??= (async () => {
    const json = JSON.parse(await readFile(schemaFile(), 'utf8')) as { data?: IntrospectionQuery };
    return buildClientSchema((json.data ?? json) as IntrospectionQuery);
  })();
  return cachedSchema;
}

/** An error as GitHub reports it: `type` beside the message (NOT_FOUND, STALE_DATA, …). */
class GitHubError extends GraphQLError {
  constructor(message: string, type: string) {
    super(message, { extensions: { type } });
  }
}

interface Ctx {
  state: DoubleState;
  web: string;
  /** The token's identity: the viewer, and what its mutations may do. */
  identity: Identity;
}

type Args = Record<string, unknown>;

// --- connections (first/last are required and at most 100, as on GitHub) ---------------------

function connection<T>(items: T[], args: Args, name: string) {
  const first = args['first'] as number | undefined;
  const last = args['last'] as number | undefined;
  if (first === undefined && last === undefined) {
    throw new GitHubError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
      'MISSING_PAGINATION_BOUNDARIES',
    );
  }
  for (const [k, v] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (v !== undefined && v > 100) {
      throw new GitHubError(
        `Requested to fetch ${v} records on the \`${name}\` connection exceeds the \`${k}\` limit of 100 records.`,
        'EXCESSIVE_PAGINATION',
      );
    }
  }
  const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString('base64');
  const index = (c: unknown) => Number(Buffer.from(String(c), 'base64').toString().split(':')[2]);
  let start = args['after'] ? index(args['after']) + 1 : 0;
  let end = args['before'] ? index(args['before']) : items.length;
  if (first !== undefined) end = Math.min(end, start + first);
  if (last !== undefined) start = Math.max(start, end - last);
  const slice = items.slice(start, end).map((node, k) => ({ node, cursor: cursor(start + k) }));
  return {
    totalCount: items.length,
    nodes: slice.map((e) => e.node),
    edges: slice,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}

// --- nodes -----------------------------------------------------------------------------------

/** GraphQL shows a GitHub App's bot without the `[bot]` suffix REST uses. */
function actorNode(ctx: Ctx, a: Actor) {
  const login = a.type === 'Bot' ? a.login.replace(/\[bot\]$/, '') : a.login;
  return {
    __typename: a.type,
    login,
    url: `${ctx.web}/${a.type === 'Bot' ? `apps/${login}` : login}`,
    resourcePath: `/${login}`,
    avatarUrl: () => `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
    databaseId: a.id,
  };
}

function commentNode(ctx: Ctx, c: CommentRecord) {
  const issue = ctx.state.issues.get(c.issueNumber);
  return {
    __typename: 'IssueComment',
    id: c.nodeId,
    databaseId: c.id,
    fullDatabaseId: String(c.id),
    body: c.body,
    bodyText: c.body,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    url: `${ctx.web}/${ctx.state.fullName}/${issue?.pull ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
    author: actorNode(ctx, c.user),
    isMinimized: c.minimizedReason !== undefined,
    // GitHub reports the classifier in lower case with dashes: "outdated", "off-topic"
    minimizedReason: c.minimizedReason ? c.minimizedReason.toLowerCase().replace(/_/g, '-') : null,
    viewerDidAuthor: c.user.login === ctx.identity.actor.login,
    viewerCanMinimize: true,
    viewerCanUpdate: c.user.login === ctx.identity.actor.login,
    viewerCanDelete: c.user.login === ctx.identity.actor.login,
    issue: () => (issue ? issueNode(ctx, issue) : null),
    pullRequest: () => (issue?.pull ? pullNode(ctx, issue) : null),
  };
}

function commentsOf(ctx: Ctx, number: number) {
  return (args: Args, _c: unknown, info: { fieldName: string }) =>
    connection(
      ctx.state.commentsOn(number).map((c) => commentNode(ctx, c)),
      args,
      info.fieldName,
    );
}

function issueNode(ctx: Ctx, i: IssueRecord) {
  if (i.pull) return pullNode(ctx, i);
  return {
    __typename: 'Issue',
    id: i.nodeId,
    databaseId: i.id,
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    state: i.state.toUpperCase(),
    stateReason: i.stateReason?.toUpperCase() ?? null,
    closed: i.state === 'closed',
    closedAt: i.closedAt,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    url: `${ctx.web}/${ctx.state.fullName}/issues/${i.number}`,
    author: actorNode(ctx, i.user),
    comments: commentsOf(ctx, i.number),
    labels: (args: Args, _c: unknown, info: { fieldName: string }) =>
      connection(
        i.labels.map((name) => ({ __typename: 'Label', name, id: `LA_${name}`, color: 'ededed' })),
        args,
        info.fieldName,
      ),
  };
}

function pullNode(ctx: Ctx, i: IssueRecord) {
  const p = i.pull;
  if (!p) throw new Error('not a pull request');
  const mergeCommit = p.mergeCommitSha ? ctx.state.commits.get(p.mergeCommitSha) : undefined;
  return {
    __typename: 'PullRequest',
    id: i.nodeId,
    databaseId: i.id,
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    state: p.merged ? 'MERGED' : i.state.toUpperCase(),
    merged: p.merged,
    mergedAt: p.mergedAt,
    closed: i.state === 'closed',
    closedAt: i.closedAt,
    isDraft: p.draft,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    url: `${ctx.web}/${ctx.state.fullName}/pull/${i.number}`,
    permalink: `${ctx.web}/${ctx.state.fullName}/pull/${i.number}`,
    headRefName: p.headRef,
    headRefOid: p.headSha,
    baseRefName: p.baseRef,
    baseRefOid: p.baseSha,
    mergeCommit: mergeCommit ? commitNode(ctx, mergeCommit) : null,
    author: actorNode(ctx, i.user),
    comments: commentsOf(ctx, i.number),
  };
}

function commitNode(ctx: Ctx, c: CommitRecord) {
  const [headline = '', ...rest] = c.message.split('\n');
  return {
    __typename: 'Commit',
    id: `C_${c.sha.slice(0, 12)}`,
    oid: c.sha,
    abbreviatedOid: c.sha.slice(0, 7),
    message: c.message,
    messageHeadline: headline,
    messageBody: rest.join('\n').trim(),
    committedDate: c.date,
    authoredDate: c.date,
    url: `${ctx.web}/${ctx.state.fullName}/commit/${c.sha}`,
    parents: (args: Args, _c: unknown, info: { fieldName: string }) =>
      connection(
        c.parents.flatMap((p) => {
          const parent = ctx.state.commits.get(p);
          return parent ? [commitNode(ctx, parent)] : [];
        }),
        args,
        info.fieldName,
      ),
    associatedPullRequests: (args: Args, _c: unknown, info: { fieldName: string }) =>
      connection(
        ctx.state
          .pullsForCommit(c.sha)
          .sort((a, b) => a.number - b.number)
          .map((i) => pullNode(ctx, i)),
        args,
        info.fieldName,
      ),
    file: (args: Args) => {
      const path = String(args['path']);
      const text = c.files.get(path);
      if (text === undefined) return null;
      return {
        __typename: 'TreeEntry',
        name: path.split('/').pop(),
        path,
        type: 'blob',
        object: blobNode(text),
      };
    },
  };
}

function blobNode(text: string) {
  return {
    __typename: 'Blob',
    id: `B_${Buffer.from(text).toString('base64url').slice(0, 16)}`,
    oid: createFakeOid(text),
    text,
    byteSize: Buffer.byteLength(text),
    isBinary: false,
    isTruncated: false,
  };
}

function createFakeOid(s: string): string {
  let h = 7n;
  for (const ch of s) h = (h * 131n + BigInt(ch.codePointAt(0) ?? 0)) % (1n << 160n);
  return h.toString(16).padStart(40, '0');
}

function refNode(ctx: Ctx, qualified: string) {
  const bare = qualified.replace(/^refs\//, '');
  const sha = ctx.state.refs.get(bare);
  const commit = sha ? ctx.state.commits.get(sha) : undefined;
  if (!commit) return null;
  const slash = bare.indexOf('/');
  return {
    __typename: 'Ref',
    id: `REF_${Buffer.from(bare).toString('base64url')}`,
    name: bare.slice(slash + 1),
    prefix: `refs/${bare.slice(0, slash)}/`,
    target: commitNode(ctx, commit),
  };
}

function repositoryNode(ctx: Ctx) {
  const s = ctx.state;
  const byNumber = (n: unknown) => s.issues.get(Number(n));
  return {
    __typename: 'Repository',
    id: s.repoNodeId,
    databaseId: s.repoId,
    name: s.repo,
    nameWithOwner: s.fullName,
    url: `${ctx.web}/${s.fullName}`,
    owner: { __typename: 'Organization', login: s.owner, id: 'O_owner', url: `${ctx.web}/${s.owner}` },
    defaultBranchRef: () => refNode(ctx, `heads/${s.defaultBranch}`),
    pullRequest: (args: Args) => {
      const i = byNumber(args['number']);
      if (!i?.pull) {
        throw new GitHubError(
          `Could not resolve to a PullRequest with the number of ${args['number']}.`,
          'NOT_FOUND',
        );
      }
      return pullNode(ctx, i);
    },
    issue: (args: Args) => {
      const i = byNumber(args['number']);
      if (!i || i.pull) {
        throw new GitHubError(
          `Could not resolve to an Issue with the number of ${args['number']}.`,
          'NOT_FOUND',
        );
      }
      return issueNode(ctx, i);
    },
    issueOrPullRequest: (args: Args) => {
      const i = byNumber(args['number']);
      if (!i) {
        throw new GitHubError(
          `Could not resolve to an issue or pull request with the number of ${args['number']}.`,
          'NOT_FOUND',
        );
      }
      return issueNode(ctx, i);
    },
    ref: (args: Args) => {
      const q = String(args['qualifiedName']);
      return refNode(ctx, q.startsWith('refs/') ? q : `heads/${q}`);
    },
    object: (args: Args) => {
      if (args['oid']) {
        const c = s.commits.get(String(args['oid']));
        return c ? commitNode(ctx, c) : null;
      }
      const expr = String(args['expression'] ?? '');
      const colon = expr.indexOf(':');
      const commit = s.resolve(colon === -1 ? expr : expr.slice(0, colon));
      if (!commit) return null;
      if (colon === -1) return commitNode(ctx, commit);
      const text = commit.files.get(expr.slice(colon + 1));
      return text === undefined ? null : blobNode(text);
    },
    pullRequests: (args: Args, _c: unknown, info: { fieldName: string }) => {
      const states = (args['states'] as string[] | undefined) ?? ['OPEN', 'CLOSED', 'MERGED'];
      const list = [...s.issues.values()]
        .filter((i) => i.pull)
        .map((i) => pullNode(ctx, i))
        .filter((p) => states.includes(p.state))
        .filter((p) => !args['headRefName'] || p.headRefName === args['headRefName'])
        .filter((p) => !args['baseRefName'] || p.baseRefName === args['baseRefName']);
      return connection(list, args, info.fieldName);
    },
    issues: (args: Args, _c: unknown, info: { fieldName: string }) => {
      const states = (args['states'] as string[] | undefined) ?? ['OPEN', 'CLOSED'];
      const labels = args['labels'] as string[] | undefined;
      const list = [...s.issues.values()]
        .filter((i) => !i.pull && states.includes(i.state.toUpperCase()))
        .filter((i) => !labels || labels.some((l) => i.labels.includes(l)))
        .map((i) => issueNode(ctx, i));
      return connection(list, args, info.fieldName);
    },
  };
}

function findNode(ctx: Ctx, id: string): unknown {
  const s = ctx.state;
  for (const c of s.comments.values()) if (c.nodeId === id) return commentNode(ctx, c);
  for (const i of s.issues.values()) if (i.nodeId === id) return issueNode(ctx, i);
  for (const c of s.commits.values()) if (`C_${c.sha.slice(0, 12)}` === id) return commitNode(ctx, c);
  if (id === s.repoNodeId) return repositoryNode(ctx);
  return null;
}

function notFoundNode(id: unknown): never {
  throw new GitHubError(`Could not resolve to a node with the global id of '${id}'`, 'NOT_FOUND');
}

// --- roots -----------------------------------------------------------------------------------

function queryRoot(ctx: Ctx) {
  return {
    repository: (args: Args) => {
      if (args['owner'] !== ctx.state.owner || args['name'] !== ctx.state.repo) {
        throw new GitHubError(
          `Could not resolve to a Repository with the name '${args['owner']}/${args['name']}'.`,
          'NOT_FOUND',
        );
      }
      return repositoryNode(ctx);
    },
    node: (args: Args) => findNode(ctx, String(args['id'])) ?? notFoundNode(args['id']),
    nodes: (args: Args) => (args['ids'] as string[]).map((id) => findNode(ctx, id)),
    viewer: () => actorNode(ctx, ctx.identity.actor),
    rateLimit: () => ({
      limit: 5000,
      cost: 1,
      remaining: 4999,
      used: 1,
      nodeCount: 0,
      resetAt: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  };
}

function commentById(ctx: Ctx, id: unknown): CommentRecord {
  for (const c of ctx.state.comments.values()) if (c.nodeId === id) return c;
  return notFoundNode(id);
}

/** Refuse a mutation the token may not run, as GitHub does (a FORBIDDEN error on the field). */
function guard(ctx: Ctx, field: string): void {
  if (!ctx.identity.enforced) return;
  const need = GRAPHQL_MUTATION_PERMISSIONS[field];
  if (need === undefined) {
    throw new GitHubError(
      `github double: no permission row for mutation ${field} in permissions.ts`,
      'FORBIDDEN',
    );
  }
  if (!permits(ctx.identity, need)) throw new GitHubError(denialMessage(ctx.identity, need), 'FORBIDDEN');
}

function mustAuthor(ctx: Ctx, c: CommentRecord, mutation: string): void {
  if (ctx.identity.enforced && c.user.login !== ctx.identity.actor.login) {
    const viewer = actorNode(ctx, ctx.identity.actor).login;
    throw new GitHubError(
      `${viewer} does not have the correct permissions to execute \`${mutation}\``,
      'FORBIDDEN',
    );
  }
}

function mutationRoot(ctx: Ctx) {
  const s = ctx.state;
  const guarded =
    <A>(field: string, fn: (args: A) => unknown) =>
    (args: A) => {
      guard(ctx, field);
      return fn(args);
    };
  return Object.fromEntries(Object.entries(mutations(ctx, s)).map(([k, fn]) => [k, guarded(k, fn)]));
}

/** The mutations the double runs (each needs a row in permissions.ts). */
export function implementedMutations(): string[] {
  return Object.keys(mutations({} as Ctx, {} as DoubleState)).sort();
}

// biome-ignore lint/suspicious/noExplicitAny: resolver arguments are schema-validated
function mutations(ctx: Ctx, s: DoubleState): Record<string, (args: any) => unknown> {
  return {
    minimizeComment: ({
      input,
    }: {
      input: { subjectId: string; classifier: string; clientMutationId?: string };
    }) => {
      const c = commentById(ctx, input.subjectId);
      c.minimizedReason = input.classifier;
      return { clientMutationId: input.clientMutationId ?? null, minimizedComment: commentNode(ctx, c) };
    },
    unminimizeComment: ({ input }: { input: { subjectId: string; clientMutationId?: string } }) => {
      const c = commentById(ctx, input.subjectId);
      delete c.minimizedReason;
      return { clientMutationId: input.clientMutationId ?? null, unminimizedComment: commentNode(ctx, c) };
    },
    addComment: ({ input }: { input: { subjectId: string; body: string; clientMutationId?: string } }) => {
      const issue =
        [...s.issues.values()].find((i) => i.nodeId === input.subjectId) ?? notFoundNode(input.subjectId);
      if ([...input.body].length > 65_536) {
        throw new GitHubError('Body is too long (maximum is 65536 characters)', 'UNPROCESSABLE');
      }
      const c = s.addComment(issue.number, input.body, ctx.identity.actor, ctx.identity.app);
      const node = commentNode(ctx, c);
      return {
        clientMutationId: input.clientMutationId ?? null,
        commentEdge: { cursor: Buffer.from(`cursor:v2:${c.id}`).toString('base64'), node },
        subject: issueNode(ctx, issue),
        timelineEdge: null,
      };
    },
    updateIssueComment: ({ input }: { input: { id: string; body: string; clientMutationId?: string } }) => {
      const c = commentById(ctx, input.id);
      mustAuthor(ctx, c, 'UpdateIssueComment');
      if ([...input.body].length > 65_536) {
        throw new GitHubError('Body is too long (maximum is 65536 characters)', 'UNPROCESSABLE');
      }
      c.body = input.body;
      c.updatedAt = s.now();
      return { clientMutationId: input.clientMutationId ?? null, issueComment: commentNode(ctx, c) };
    },
    createCommitOnBranch: ({ input }: { input: CreateCommitInput }) => createCommitOnBranch(ctx, input),
  };
}

interface CreateCommitInput {
  clientMutationId?: string;
  branch: { id?: string; repositoryNameWithOwner?: string; branchName?: string };
  message: { headline: string; body?: string };
  fileChanges?: { additions?: { path: string; contents: string }[]; deletions?: { path: string }[] };
  expectedHeadOid: string;
}

/** A commit on a branch, only if the branch still points at `expectedHeadOid`. */
function createCommitOnBranch(ctx: Ctx, input: CreateCommitInput) {
  const s = ctx.state;
  const b = input.branch;
  if (b.id !== undefined) {
    throw new GitHubError(
      'github double: address the branch by repositoryNameWithOwner and branchName',
      'UNSUPPORTED',
    );
  }
  if (b.repositoryNameWithOwner !== s.fullName) {
    throw new GitHubError(
      `Could not resolve to a Repository with the name '${b.repositoryNameWithOwner}'.`,
      'NOT_FOUND',
    );
  }
  const branch = String(b.branchName ?? '').replace(/^refs\/heads\//, '');
  const head = s.refs.get(`heads/${branch}`);
  if (!head) throw new GitHubError(`A ref named "refs/heads/${branch}" does not exist.`, 'NOT_FOUND');
  if (head !== input.expectedHeadOid) {
    throw new GitHubError(
      `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
      'STALE_DATA',
    );
  }
  const parent = s.commits.get(head);
  const additions: Record<string, string> = {};
  for (const a of input.fileChanges?.additions ?? []) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.contents)) {
      throw new GitHubError(`contents of ${a.path} is not valid Base64`, 'UNPROCESSABLE');
    }
    additions[a.path] = Buffer.from(a.contents, 'base64').toString('utf8');
  }
  const deletions: string[] = [];
  for (const d of input.fileChanges?.deletions ?? []) {
    if (!parent?.files.has(d.path)) {
      throw new GitHubError(
        `A path was requested for deletion which does not exist as of commit oid \`${head}\``,
        'UNPROCESSABLE',
      );
    }
    deletions.push(d.path);
  }
  const message = input.message.body
    ? `${input.message.headline}\n\n${input.message.body}`
    : input.message.headline;
  const commit = s.addCommit({ message, parents: [head], changes: { additions, deletions } });
  s.refs.set(`heads/${branch}`, commit.sha);
  return {
    clientMutationId: input.clientMutationId ?? null,
    commit: commitNode(ctx, commit),
    ref: refNode(ctx, `heads/${branch}`),
  };
}

// --- execution -------------------------------------------------------------------------------

export interface GraphqlRequestBody {
  query?: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface GraphqlOutcome {
  body: Record<string, unknown>;
  /** Root fields of the operation (for fault routes such as graphql:minimizeComment). */
  rootFields: string[];
  operationName?: string;
  valid: boolean;
}

/** Root field names of the operation a request would run (before validation). */
export function rootFieldsOf(query: string, operationName?: string | null): string[] {
  try {
    const doc = parse(query);
    const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const op = ops.find((o) => !operationName || o.name?.value === operationName) ?? ops[0];
    return (op?.selectionSet.selections ?? []).flatMap((sel) =>
      sel.kind === 'Field' ? [sel.name.value] : [],
    );
  } catch {
    return [];
  }
}

function format(result: ExecutionResult | { errors: readonly GraphQLError[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('data' in result) out['data'] = result.data ?? null;
  if (result.errors?.length) {
    out['errors'] = result.errors.map((e) => {
      const json = { ...e.toJSON() } as Record<string, unknown> & { extensions?: Record<string, unknown> };
      const type = json.extensions?.['type'];
      if (type) {
        delete json.extensions;
        return { type, ...json };
      }
      return json;
    });
  }
  return out;
}

const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  if (source === null || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[info.fieldName];
  return typeof value === 'function' ? value(args, context, info) : value;
};

export async function runGraphql(
  state: DoubleState,
  web: string,
  body: GraphqlRequestBody,
  identity: Identity,
): Promise<GraphqlOutcome> {
  const schema = await graphqlSchema();
  const query = body.query ?? '';
  const rootFields = rootFieldsOf(query, body.operationName);
  let doc: ReturnType<typeof parse>;
  try {
    doc = parse(query);
  } catch (err) {
    return { body: format({ errors: [err as GraphQLError] }), rootFields, valid: false };
  }
  const errors = validate(schema, doc);
  if (errors.length > 0) return { body: format({ errors }), rootFields, valid: false };
  const ctx: Ctx = { state, web, identity };
  const op = doc.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === 'OperationDefinition' && (!body.operationName || d.name?.value === body.operationName),
  );
  const rootValue = op?.operation === 'mutation' ? mutationRoot(ctx) : queryRoot(ctx);
  const result = await execute({
    schema,
    document: doc,
    rootValue,
    variableValues: body.variables ?? {},
    operationName: body.operationName ?? undefined,
    fieldResolver,
  });
  const outcome: GraphqlOutcome = { body: format(result), rootFields, valid: true };
  if (op?.name?.value) outcome.operationName = op.name.value;
  return outcome;
}
