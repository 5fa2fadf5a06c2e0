import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { createGitHubClient } from '../../../src/github/client.ts';
import { formatProblem, IdlcError, UsageError } from '../../../src/util/errors.ts';
import { parseInputs, runReport } from './run.ts';

const INPUTS = [
  'mode',
  'results-dir',
  'pull-request',
  'head-sha',
  'checks',
  'comment',
  'drift-label',
  'fail-on',
];

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Entry point: read inputs and env, build the client, call the logic, publish outputs. */
async function main(): Promise<void> {
  const inputs = parseInputs(Object.fromEntries(INPUTS.map((name) => [name, core.getInput(name)])));
  const [owner, repo] = (process.env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (!owner || !repo) {
    throw new UsageError(
      'GITHUB_REPOSITORY is not set',
      'run this action inside GitHub Actions (or set GITHUB_REPOSITORY=owner/repo)',
    );
  }
  const server = process.env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const runId = process.env['GITHUB_RUN_ID'];
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
  const run = await core.group(`idlc report (${inputs.mode})`, () =>
    runReport(
      gh,
      inputs,
      {
        repo: { owner, repo },
        ...(runId ? { runUrl: `${server}/${owner}/${repo}/actions/runs/${runId}` } : {}),
        eventName: process.env['GITHUB_EVENT_NAME'] ?? '',
        event: readEvent(process.env['GITHUB_EVENT_PATH']),
        ...(process.env['GITHUB_SHA'] ? { sha: process.env['GITHUB_SHA'] } : {}),
        root: resolve(process.env['GITHUB_WORKSPACE'] ?? process.cwd(), core.getInput('root') || '.'),
      },
      log,
    ),
  );
  for (const [name, value] of Object.entries(run.outputs)) core.setOutput(name, value);
  for (const w of run.warnings) core.warning(w);
  if (process.env['GITHUB_STEP_SUMMARY']) await core.summary.addRaw(run.summary, true).write();
  if (run.failure) core.setFailed(run.failure);
}

main().catch((err: unknown) => {
  if (err instanceof IdlcError) {
    for (const p of err.problems)
      core.error(formatProblem(p), { file: p.file, startLine: p.line, startColumn: p.column });
  }
  const status = (err as { status?: number }).status;
  const hint =
    status === 403 || status === 404
      ? ' (the token needs pull-requests: write, checks: write, statuses: write and issues: write for this mode)'
      : '';
  core.setFailed(`${err instanceof Error ? err.message : String(err)}${hint}`);
});
