/**
 * The gitops-update step's logic, with everything it touches passed in: inputs → pin updates
 * → one compare-and-swap commit on the branch (src/gitops/update.ts). main.ts reads inputs and
 * env; nothing here reads @actions/core.
 */
import type { Logger } from '../../../src/github/client.ts';
import type { RetryPolicy } from '../../../src/gitops/commit.ts';
import { DEPLOY_PREFIX, isDeployCommit } from '../../../src/gitops/message.ts';
import type { PinRequest } from '../../../src/gitops/pins.ts';
import type { RepoApi } from '../../../src/gitops/repo-api.ts';
import { gitopsUpdate, type PinUpdate } from '../../../src/gitops/update.ts';
import { type AppRef, parseAppRef } from '../../../src/sdlc/layout.ts';
import { UsageError } from '../../../src/util/errors.ts';

export interface GitopsUpdateInputs {
  updates: PinUpdate[];
  branch?: string;
  sourceCommit?: string;
  sourcePr?: string;
  maxAttempts: number;
}

export interface GitopsUpdateContext {
  repo: { owner: string; repo: string };
  serverUrl: string;
  eventName: string;
  event: Record<string, unknown>;
  /** GITHUB_SHA */
  sha?: string;
}

export interface GitopsUpdateRun {
  outputs: Record<string, string>;
  summary: string;
  warnings: string[];
}

interface RawUpdate {
  team?: string;
  env?: string;
  app?: string;
  image?: string;
  tag?: string;
  digest?: string;
  chart?: string;
  version?: string;
}

function toUpdate(u: RawUpdate, where: string): PinUpdate {
  const ref = parseAppRef(`${u.team ?? ''}/${u.env ?? ''}/${u.app ?? ''}`);
  if (typeof ref === 'string') throw new UsageError(`${where}: ${ref}`, 'set team, env and app');
  const request: PinRequest = u.chart
    ? { kind: 'chart', name: u.chart, version: u.version ?? '' }
    : {
        kind: 'image',
        name: u.image || ref.app,
        ...(u.tag ? { tag: u.tag } : {}),
        ...(u.digest ? { digest: u.digest } : {}),
      };
  if (request.kind === 'chart' && !request.version)
    throw new UsageError(`${where}: chart ${u.chart} without a version`, 'set chart-version');
  return { ref: ref as AppRef, request };
}

/** Validate the raw input strings (main.ts passes them as read). */
export function parseInputs(raw: Record<string, string>): GitopsUpdateInputs {
  const updates: PinUpdate[] = [];
  if (raw['updates']?.trim()) {
    let list: unknown;
    try {
      list = JSON.parse(raw['updates']);
    } catch (err) {
      throw new UsageError(
        `input updates: not JSON (${(err as Error).message})`,
        'pass a JSON list of {team, env, app, tag|digest|chart+version}',
      );
    }
    if (!Array.isArray(list) || list.length === 0)
      throw new UsageError(
        'input updates: expected a non-empty JSON list',
        'pass [{"team":"search","env":"dev","app":"api","tag":"1.5.0"}]',
      );
    for (const [i, u] of list.entries()) updates.push(toUpdate(u as RawUpdate, `input updates[${i}]`));
  }
  if (raw['team'] || raw['app']) {
    updates.push(
      toUpdate(
        {
          team: raw['team'],
          env: raw['env'],
          app: raw['app'],
          image: raw['image'],
          tag: raw['tag'],
          digest: raw['digest'],
          chart: raw['chart'],
          version: raw['chart-version'],
        },
        'inputs team/env/app',
      ),
    );
  }
  if (updates.length === 0)
    throw new UsageError(
      'nothing to update',
      'set team, env, app and tag/digest (or chart + chart-version), or updates',
    );
  const maxAttempts = Number(raw['max-attempts'] || '10');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 30)
    throw new UsageError(`input max-attempts: "${raw['max-attempts']}" is not a number from 1 to 30`);
  return {
    updates,
    ...(raw['branch'] ? { branch: raw['branch'] } : {}),
    ...(raw['source-commit'] ? { sourceCommit: raw['source-commit'] } : {}),
    ...(raw['source-pr'] ? { sourcePr: raw['source-pr'] } : {}),
    maxAttempts,
  };
}

function defaultBranch(ctx: GitopsUpdateContext): string {
  const repo = ctx.event['repository'] as { default_branch?: string } | undefined;
  return repo?.default_branch ?? 'main';
}

function headCommitMessage(ctx: GitopsUpdateContext): string | undefined {
  const head = ctx.event['head_commit'] as { message?: string } | undefined;
  return head?.message;
}

export async function runGitopsUpdate(
  deps: { api: RepoApi; log: Logger; retry?: Partial<RetryPolicy> },
  inputs: GitopsUpdateInputs,
  ctx: GitopsUpdateContext,
): Promise<GitopsUpdateRun> {
  const outputs: Record<string, string> = {
    changed: 'false',
    'commit-sha': '',
    'commit-url': '',
    changes: '[]',
    held: '[]',
  };
  // No workflow loops: a push made by this action (chore(deploy): …) never updates pins again.
  const message = headCommitMessage(ctx);
  if (ctx.eventName === 'push' && message && isDeployCommit(message)) {
    return {
      outputs,
      summary: `idlc gitops-update: skipped — the pushed commit is itself a deploy commit (${DEPLOY_PREFIX} …)`,
      warnings: [],
    };
  }
  const branch = inputs.branch ?? defaultBranch(ctx);
  const sourcePr = inputs.sourcePr
    ? /^\d+$/.test(inputs.sourcePr)
      ? `${ctx.serverUrl}/${ctx.repo.owner}/${ctx.repo.repo}/pull/${inputs.sourcePr}`
      : inputs.sourcePr
    : undefined;
  const result = await gitopsUpdate({
    api: deps.api,
    branch,
    updates: inputs.updates,
    source: {
      ...((inputs.sourceCommit ?? ctx.sha) ? { commit: inputs.sourceCommit ?? ctx.sha } : {}),
      ...(sourcePr ? { pr: sourcePr } : {}),
    },
    retry: { ...deps.retry, maxAttempts: inputs.maxAttempts },
    log: deps.log,
  });
  const warnings = result.held.map((h) => `${h.ref.team}/${h.ref.env}/${h.ref.app}: ${h.message}`);
  outputs['changed'] = String(result.changed);
  outputs['commit-sha'] = result.commit?.oid ?? '';
  outputs['commit-url'] = result.commit?.url ?? '';
  outputs['changes'] = JSON.stringify(result.changes);
  outputs['held'] = JSON.stringify(result.held);
  const lines = result.changes.map(
    (c) => `| ${c.team}/${c.app} | ${c.env} | ${c.pin} | \`${c.old}\` | \`${c.new}\` |`,
  );
  const summary = result.changed
    ? [
        `### idlc gitops-update: ${result.commit?.url ?? result.commit?.oid}`,
        '',
        '| app | env | pin | old | new |',
        '| --- | --- | --- | --- | --- |',
        ...lines,
        '',
        `${result.attempts} attempt(s) on ${branch}.`,
      ].join('\n')
    : `### idlc gitops-update: nothing to change on ${branch}${result.held.length ? ' (held pins left alone)' : ''}`;
  return { outputs, summary, warnings };
}
