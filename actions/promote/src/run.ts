/**
 * The promote step's logic, dependencies passed in: registry order check → plan on the
 * default branch head → direct commit (unprotected target) or a replacing PR on
 * promote/<team>/<app>/<to> (protected target). main.ts reads inputs and env.
 */
import type { Registry } from '../../../src/config/schema.ts';
import type { GitHubClient, Logger } from '../../../src/github/client.ts';
import { type ArgoCdClient, verifySourceDeployed } from '../../../src/gitops/argocd-gate.ts';
import type { RetryPolicy } from '../../../src/gitops/commit.ts';
import { appsToPromote, type PromotionRequest } from '../../../src/gitops/promote.ts';
import { type PromotionOutcome, promote } from '../../../src/gitops/promotion.ts';
import type { RepoApi } from '../../../src/gitops/repo-api.ts';
import { isValidAppName } from '../../../src/sdlc/layout.ts';
import { UsageError } from '../../../src/util/errors.ts';

export interface PromoteInputs {
  request: PromotionRequest;
  dryRun: boolean;
  maxAttempts: number;
}

export interface PromoteContext {
  root: string;
  registry: Registry;
  repo: { owner: string; repo: string };
  serverUrl: string;
  defaultBranch: string;
  runUrl?: string;
  actor?: string;
}

export interface PromoteRun {
  outputs: Record<string, string>;
  summary: string;
  warnings: string[];
  outcome: PromotionOutcome;
}

export function parseInputs(raw: Record<string, string>): PromoteInputs {
  const team = (raw['team'] ?? '').trim();
  const app = (raw['app'] ?? '').trim() || 'all';
  const from = (raw['from'] ?? '').trim();
  const to = (raw['to'] ?? '').trim();
  if (!team || !from || !to)
    throw new UsageError(
      'inputs team, from and to are required',
      'e.g. team: search, from: dev, to: staging',
    );
  if (app !== 'all' && !isValidAppName(app))
    throw new UsageError(`input app: "${app}" is not an app name`, 'pass an app folder name, or all');
  const dryRun = (raw['dry-run'] || 'false').toLowerCase();
  if (dryRun !== 'true' && dryRun !== 'false')
    throw new UsageError(`input dry-run: "${raw['dry-run']}" is not true or false`);
  const maxAttempts = Number(raw['max-attempts'] || '10');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 30)
    throw new UsageError(`input max-attempts: "${raw['max-attempts']}" is not a number from 1 to 30`);
  return { request: { team, app, from, to }, dryRun: dryRun === 'true', maxAttempts };
}

export async function runPromote(
  deps: {
    api: RepoApi;
    gh: Pick<GitHubClient, 'rest'>;
    argo?: ArgoCdClient;
    log: Logger;
    retry?: Partial<RetryPolicy>;
  },
  inputs: PromoteInputs,
  ctx: PromoteContext,
): Promise<PromoteRun> {
  const r = inputs.request;
  const apps = await appsToPromote(ctx.root, r);
  const argo = deps.argo;
  const outcome = await promote({
    registry: ctx.registry,
    request: r,
    apps,
    api: deps.api,
    gh: deps.gh,
    baseBranch: ctx.defaultBranch,
    links: {
      server: ctx.serverUrl,
      owner: ctx.repo.owner,
      repo: ctx.repo.repo,
      ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
      ...(ctx.actor ? { actor: ctx.actor } : {}),
    },
    ...(argo
      ? {
          gate: async (head: string) =>
            Promise.all(
              [...new Set(apps)].map((app) =>
                verifySourceDeployed({
                  argo,
                  api: deps.api,
                  source: { team: r.team, env: r.from, app },
                  head,
                }),
              ),
            ),
        }
      : {}),
    dryRun: inputs.dryRun,
    retry: { ...deps.retry, maxAttempts: inputs.maxAttempts },
    log: deps.log,
  });
  const p = outcome.plan;
  const warnings = [
    ...outcome.warnings,
    ...p.held.map((h) => `${h.ref.team}/${h.ref.env}/${h.ref.app}: ${h.message}`),
  ];
  const outputs: Record<string, string> = {
    mode: outcome.mode,
    changed: String(outcome.mode !== 'none'),
    'commit-sha': outcome.commit?.oid ?? '',
    'pull-request': outcome.pullRequest ? String(outcome.pullRequest.number) : '',
    'pull-request-url': outcome.pullRequest?.url ?? '',
    changes: JSON.stringify(p.changes.map(({ source: _s, ...c }) => c)),
  };
  const table = p.changes.map((c) => `| ${c.team}/${c.app} | ${c.pin} | \`${c.old}\` | \`${c.new}\` |`);
  const head =
    outcome.mode === 'pull-request'
      ? `### idlc promote ${r.from} → ${r.to}: pull request ${outcome.pullRequest?.url}`
      : outcome.mode === 'commit'
        ? `### idlc promote ${r.from} → ${r.to}: committed ${outcome.commit?.url ?? outcome.commit?.oid}`
        : `### idlc promote ${r.from} → ${r.to}: ${inputs.dryRun ? 'dry run' : 'nothing to promote'}`;
  const summary = [
    head,
    '',
    ...(table.length
      ? ['| app | pin | old | new |', '| --- | --- | --- | --- |', ...table]
      : [`${r.to} already has every pin of ${r.from}.`]),
    ...(p.unchanged.length ? ['', `Unchanged: ${p.unchanged.join(', ')}`] : []),
    ...(p.skipped.length ? ['', `Skipped: ${p.skipped.join('; ')}`] : []),
  ].join('\n');
  return { outputs, summary, warnings, outcome };
}
