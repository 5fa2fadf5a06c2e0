import { resolve } from 'node:path';
import * as core from '@actions/core';
import { readEvent, repository, runAction, summaryMarkdown } from '../../../src/action/edge.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { githubRepoApi } from '../../../src/gitops/repo-api.ts';
import { commitAppliedOutputs } from './applied-outputs.ts';
import { parseInputs, runGitopsUpdate } from './run.ts';

const INPUTS = [
  'team',
  'env',
  'app',
  'image',
  'tag',
  'digest',
  'chart',
  'chart-version',
  'updates',
  'branch',
  'source-commit',
  'source-pr',
  'max-attempts',
];

/** Entry point: read inputs and env, build the client, call the logic, publish outputs. */
runAction(
  async () => {
    const env = process.env;
    const repo = repository(env);
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
    const appliedDir = core.getInput('apply-results');
    const event = readEvent(env);
    const run = await core.group('idlc gitops-update', () =>
      appliedDir
        ? commitAppliedOutputs(
            { api: githubRepoApi(gh, repo), log },
            {
              dir: resolve(env['GITHUB_WORKSPACE'] ?? process.cwd(), appliedDir),
              branch:
                core.getInput('branch') ||
                ((event['repository'] as { default_branch?: string } | undefined)?.default_branch ?? 'main'),
              ...(env['GITHUB_SHA'] ? { sha: env['GITHUB_SHA'] } : {}),
              serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
              repo,
            },
          )
        : runGitopsUpdate(
            { api: githubRepoApi(gh, repo), log },
            parseInputs(Object.fromEntries(INPUTS.map((name) => [name, core.getInput(name)]))),
            {
              repo,
              serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
              eventName: env['GITHUB_EVENT_NAME'] ?? '',
              event,
              ...(env['GITHUB_SHA'] ? { sha: env['GITHUB_SHA'] } : {}),
            },
          ),
    );
    for (const [name, value] of Object.entries(run.outputs)) core.setOutput(name, value);
    for (const w of run.warnings) core.warning(w);
    await summaryMarkdown(env, run.summary);
  },
  { permissions: 'contents: write' },
);
