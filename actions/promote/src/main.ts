import { resolve } from 'node:path';
import * as core from '@actions/core';
import { loadRegistry } from '../../../src/config/load.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { httpArgoCdClient } from '../../../src/gitops/argocd-gate.ts';
import { githubRepoApi } from '../../../src/gitops/repo-api.ts';
import { formatProblem, IdlcError, UsageError } from '../../../src/util/errors.ts';
import { parseInputs, runPromote } from './run.ts';

const INPUTS = ['team', 'app', 'from', 'to', 'dry-run', 'max-attempts'];

/** Entry point: read inputs and env, build the clients, call the logic, publish outputs. */
async function main(): Promise<void> {
  const inputs = parseInputs(Object.fromEntries(INPUTS.map((name) => [name, core.getInput(name)])));
  const [owner, repo] = (process.env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (!owner || !repo) {
    throw new UsageError(
      'GITHUB_REPOSITORY is not set',
      'run this action inside GitHub Actions (or set GITHUB_REPOSITORY=owner/repo)',
    );
  }
  const root = resolve(process.env['GITHUB_WORKSPACE'] ?? '.', core.getInput('root') || '.');
  const { registry } = await loadRegistry(root);
  const log = {
    debug: (m: string) => core.debug(m),
    info: (m: string) => core.info(m),
    warning: (m: string) => core.warning(m),
  };
  const gh = createGitHubClient({
    token: core.getInput('github-token') || process.env['GITHUB_TOKEN'] || '',
    ...(process.env['GITHUB_API_URL'] ? { apiUrl: process.env['GITHUB_API_URL'] } : {}),
    ...(process.env['GITHUB_GRAPHQL_URL'] ? { graphqlUrl: process.env['GITHUB_GRAPHQL_URL'] } : {}),
    log,
  });
  const argocdUrl = core.getInput('argocd-url');
  const argocdToken = core.getInput('argocd-token');
  if (argocdUrl && !argocdToken)
    throw new UsageError(
      'argocd-url is set but argocd-token is empty',
      'pass an Argo CD account token with applications, get',
    );
  const server = process.env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const runId = process.env['GITHUB_RUN_ID'];
  const run = await core.group(
    `idlc promote ${inputs.request.team}/${inputs.request.app} ${inputs.request.from} -> ${inputs.request.to}`,
    () =>
      runPromote(
        {
          api: githubRepoApi(gh, { owner, repo }),
          gh,
          ...(argocdUrl ? { argo: httpArgoCdClient({ url: argocdUrl, token: argocdToken }) } : {}),
          log,
        },
        inputs,
        {
          root,
          registry,
          repo: { owner, repo },
          serverUrl: server,
          defaultBranch: registry.github?.default_branch ?? 'main',
          ...(runId ? { runUrl: `${server}/${owner}/${repo}/actions/runs/${runId}` } : {}),
          ...(process.env['GITHUB_ACTOR'] ? { actor: process.env['GITHUB_ACTOR'] } : {}),
        },
      ),
  );
  for (const [name, value] of Object.entries(run.outputs)) core.setOutput(name, value);
  for (const w of run.warnings) core.warning(w);
  if (process.env['GITHUB_STEP_SUMMARY']) await core.summary.addRaw(run.summary, true).write();
}

main().catch((err: unknown) => {
  if (err instanceof IdlcError) {
    for (const p of err.problems)
      core.error(formatProblem(p), { file: p.file, ...(p.line ? { startLine: p.line } : {}) });
  }
  const status = (err as { status?: number }).status;
  const hint =
    status === 403 || status === 404 ? ' (the token needs contents: write and pull-requests: write)' : '';
  core.setFailed(`${err instanceof Error ? err.message : String(err)}${hint}`);
});
