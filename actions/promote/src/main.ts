import { resolve } from 'node:path';
import * as core from '@actions/core';
import { booleanInput, repository, runAction, runUrl, summaryMarkdown } from '../../../src/action/edge.ts';
import { loadRegistry } from '../../../src/config/load.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { httpArgoCdClient } from '../../../src/gitops/argocd-gate.ts';
import { githubRepoApi } from '../../../src/gitops/repo-api.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { parseInputs, runPromote } from './run.ts';

const INPUTS = ['team', 'app', 'from', 'to', 'max-attempts'];

/** Entry point: read inputs and env, build the clients, call the logic, publish outputs. */
runAction(
  async () => {
    const env = process.env;
    const inputs = parseInputs({
      ...Object.fromEntries(INPUTS.map((name) => [name, core.getInput(name)])),
      'dry-run': String(booleanInput('dry-run', false)),
    });
    const repo = repository(env);
    const root = resolve(env['GITHUB_WORKSPACE'] ?? '.', core.getInput('root') || '.');
    const { registry } = await loadRegistry(root);
    const log = {
      debug: (m: string) => core.debug(m),
      info: (m: string) => core.info(m),
      warning: (m: string) => core.warning(m),
    };
    const gh = createGitHubClient({
      token: core.getInput('github-token') || env['GITHUB_TOKEN'] || '',
      ...(env['GITHUB_API_URL'] ? { apiUrl: env['GITHUB_API_URL'] } : {}),
      ...(env['GITHUB_GRAPHQL_URL'] ? { graphqlUrl: env['GITHUB_GRAPHQL_URL'] } : {}),
      log,
    });
    const argocdUrl = core.getInput('argocd-url');
    const argocdToken = core.getInput('argocd-token');
    if (argocdUrl && !argocdToken)
      throw new UsageError(
        'argocd-url is set but argocd-token is empty',
        'pass an Argo CD account token with applications, get',
      );
    const url = runUrl(env);
    const r = inputs.request;
    const run = await core.group(`idlc promote ${r.team}/${r.app} ${r.from} -> ${r.to}`, () =>
      runPromote(
        {
          api: githubRepoApi(gh, repo),
          gh,
          ...(argocdUrl ? { argo: httpArgoCdClient({ url: argocdUrl, token: argocdToken }) } : {}),
          log,
        },
        inputs,
        {
          root,
          registry,
          repo,
          serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
          defaultBranch: registry.github?.default_branch ?? 'main',
          ...(url ? { runUrl: url } : {}),
          ...(env['GITHUB_ACTOR'] ? { actor: env['GITHUB_ACTOR'] } : {}),
        },
      ),
    );
    for (const [name, value] of Object.entries(run.outputs)) core.setOutput(name, value);
    for (const w of run.warnings) core.warning(w);
    await summaryMarkdown(env, run.summary);
  },
  { permissions: 'contents: write and pull-requests: write' },
);
