/**
 * Event payloads for act, shaped as GitHub sends them: each starts from a real delivery in
 * @octokit/webhooks-examples and takes its values from the sandbox (the GitHub double's view of
 * the repository, pull request and run).
 */
import { createRequire } from 'node:module';

type Json = Record<string, unknown>;

let examples: { name: string; examples: Json[] }[] | undefined;

function example(event: string, action?: string): Json {
  if (!examples) {
    const require = createRequire(import.meta.url);
    examples = require('@octokit/webhooks-examples/api.github.com/index.json') as typeof examples;
  }
  const ex = examples?.find((e) => e.name === event)?.examples.find((x) => !action || x['action'] === action);
  if (!ex) throw new Error(`no ${event}${action ? `/${action}` : ''} example in @octokit/webhooks-examples`);
  return structuredClone(ex);
}

export interface RepoFacts {
  fullName: string;
  id: number;
  nodeId: string;
  defaultBranch: string;
  /** Where html links point (the sandbox's git server). */
  serverUrl: string;
  apiUrl: string;
}

export interface PersonFacts {
  login: string;
  id: number;
}

export function repositoryPayload(r: RepoFacts, base: Json): Json {
  const [owner = '', name = ''] = r.fullName.split('/');
  return {
    ...base,
    id: r.id,
    node_id: r.nodeId,
    name,
    full_name: r.fullName,
    private: true,
    visibility: 'private',
    fork: false,
    default_branch: r.defaultBranch,
    owner: { ...(base['owner'] as Json), login: owner, type: 'Organization' },
    html_url: `${r.serverUrl}/${r.fullName}`,
    url: `${r.apiUrl}/repos/${r.fullName}`,
    clone_url: `${r.serverUrl}/${r.fullName}.git`,
  };
}

const user = (p: PersonFacts, base: Json): Json => ({ ...base, login: p.login, id: p.id, type: 'User' });

export interface PullFacts {
  number: number;
  title: string;
  body: string;
  author: PersonFacts;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  labels: string[];
  /** owner/name of a fork the head lives in. */
  headRepository?: string;
}

/** `pull_request` (opened, synchronize, …). */
export function pullRequestEvent(action: string, r: RepoFacts, p: PullFacts): Json {
  const ex = example('pull_request', action === 'synchronize' ? 'synchronize' : 'opened');
  const pr = ex['pull_request'] as Json;
  const repo = repositoryPayload(r, ex['repository'] as Json);
  const headRepo = p.headRepository
    ? {
        ...repositoryPayload({ ...r, fullName: p.headRepository, id: r.id + 1 }, ex['repository'] as Json),
        fork: true,
      }
    : repo;
  const payload: Json = {
    ...ex,
    action,
    number: p.number,
    pull_request: {
      ...pr,
      number: p.number,
      title: p.title,
      body: p.body,
      state: 'open',
      merged: false,
      draft: false,
      user: user(p.author, pr['user'] as Json),
      labels: p.labels.map((name, i) => ({
        id: i + 1,
        node_id: `LA_${i}`,
        name,
        color: 'ededed',
        default: false,
      })),
      head: {
        ...(pr['head'] as Json),
        ref: p.headRef,
        sha: p.headSha,
        label: `${p.headRepository?.split('/')[0] ?? r.fullName.split('/')[0]}:${p.headRef}`,
        repo: headRepo,
      },
      base: {
        ...(pr['base'] as Json),
        ref: p.baseRef,
        sha: p.baseSha,
        label: `${r.fullName.split('/')[0]}:${p.baseRef}`,
        repo,
      },
      html_url: `${r.serverUrl}/${r.fullName}/pull/${p.number}`,
      url: `${r.apiUrl}/repos/${r.fullName}/pulls/${p.number}`,
    },
    repository: repo,
    sender: user(p.author, ex['sender'] as Json),
  };
  delete payload['installation'];
  return payload;
}

/** `push` of commits to a branch. */
export function pushEvent(
  r: RepoFacts,
  o: { ref: string; before: string; after: string; pusher: PersonFacts; message: string },
): Json {
  const ex = example('push');
  const head = {
    ...((ex['head_commit'] as Json | null) ?? {}),
    id: o.after,
    tree_id: o.after,
    message: o.message,
    url: `${r.serverUrl}/${r.fullName}/commit/${o.after}`,
  };
  return {
    ...ex,
    ref: o.ref,
    before: o.before,
    after: o.after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${r.serverUrl}/${r.fullName}/compare/${o.before.slice(0, 12)}...${o.after.slice(0, 12)}`,
    commits: [head],
    head_commit: head,
    repository: repositoryPayload(r, ex['repository'] as Json),
    pusher: { name: o.pusher.login, email: `${o.pusher.login}@example.com` },
    sender: user(o.pusher, ex['sender'] as Json),
  };
}

/** `workflow_run` completed: `run` is the run as the Actions REST API returns it. */
export function workflowRunEvent(r: RepoFacts, run: Json, sender: PersonFacts): Json {
  const ex = example('workflow_run', 'completed');
  return {
    ...ex,
    action: 'completed',
    workflow_run: run,
    workflow: {
      ...(ex['workflow'] as Json),
      id: run['workflow_id'],
      name: run['name'],
      path: run['path'],
      url: run['workflow_url'],
    },
    repository: repositoryPayload(r, ex['repository'] as Json),
    organization: { ...(ex['organization'] as Json), login: r.fullName.split('/')[0] },
    sender: user(sender, ex['sender'] as Json),
  };
}

/** `workflow_dispatch` with inputs, on a branch. */
export function workflowDispatchEvent(
  r: RepoFacts,
  o: { ref: string; workflowPath: string; inputs: Record<string, string | boolean>; sender: PersonFacts },
): Json {
  const ex = example('workflow_dispatch');
  return {
    ...ex,
    inputs: o.inputs,
    ref: o.ref,
    workflow: o.workflowPath,
    repository: repositoryPayload(r, ex['repository'] as Json),
    organization: { ...(ex['organization'] as Json), login: r.fullName.split('/')[0] },
    sender: user(o.sender, ex['sender'] as Json),
  };
}
