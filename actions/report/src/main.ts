import { resolve } from 'node:path';
import * as core from '@actions/core';
import {
  booleanInput,
  readEvent,
  repository,
  runAction,
  runUrl,
  summaryMarkdown,
} from '../../../src/action/edge.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { parseInputs, runReport } from './run.ts';

const INPUTS = ['mode', 'results-dir', 'pull-request', 'head-sha', 'checks', 'drift-label', 'fail-on'];

/** Entry point: read inputs and env, build the client, call the logic, publish outputs. */
runAction(
  async () => {
    const env = process.env;
    const inputs = parseInputs({
      ...Object.fromEntries(INPUTS.map((name) => [name, core.getInput(name)])),
      comment: String(booleanInput('comment', true)),
    });
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
    const url = runUrl(env);
    const run = await core.group(`idlc report (${inputs.mode})`, () =>
      runReport(
        gh,
        inputs,
        {
          repo,
          ...(url ? { runUrl: url } : {}),
          eventName: env['GITHUB_EVENT_NAME'] ?? '',
          event: readEvent(env),
          ...(env['GITHUB_SHA'] ? { sha: env['GITHUB_SHA'] } : {}),
          root: resolve(env['GITHUB_WORKSPACE'] ?? process.cwd(), core.getInput('root') || '.'),
        },
        log,
      ),
    );
    for (const [name, value] of Object.entries(run.outputs)) core.setOutput(name, value);
    for (const w of run.warnings) core.warning(w);
    await summaryMarkdown(env, run.summary);
    if (run.failure) throw new Error(run.failure);
  },
  {
    permissions: 'pull-requests: write, checks: write, statuses: write and issues: write for this mode',
  },
);
