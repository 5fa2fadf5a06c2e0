import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { idTokenAvailable } from '../../../src/auth/id-token.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { formatProblem, IdlcError, UsageError } from '../../../src/util/errors.ts';
import { runApplyAction } from './run.ts';

/** Entry point: the only place that reads inputs and env; everything else is injected. */
async function main(): Promise<void> {
  const env = process.env;
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
  const runnerTemp = env['RUNNER_TEMP'] || tmpdir();
  const [owner, repo] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (!owner || !repo)
    throw new UsageError('GITHUB_REPOSITORY is not set', 'run this action in a GitHub workflow');
  const token = core.getInput('github-token', { required: true });
  core.setSecret(token);
  const sandboxUrl = core.getInput('sandbox-endpoint');
  const out = await runApplyAction({
    root: resolve(workspace, core.getInput('root') || '.'),
    stack: core.getInput('stack', { required: true }),
    mergeSha: core.getInput('merge-sha') || env['GITHUB_SHA'] || '',
    runId: env['GITHUB_RUN_ID'] ?? 'local',
    repo: { owner, repo },
    github: createGitHubClient({
      token,
      apiUrl: env['GITHUB_API_URL'],
      log: { debug: (m) => core.debug(m), info: (m) => core.info(m), warning: (m) => core.warning(m) },
    }).rest,
    expectedBundleSha256: core.getInput('bundle-sha256'),
    resultDir: resolve(workspace, core.getInput('result-dir') || join(runnerTemp, 'idlc-results')),
    tempDir: runnerTemp,
    pluginCacheDir: join(runnerTemp, 'idlc-plugin-cache'),
    lockTimeout: core.getInput('lock-timeout') || '5m',
    sandbox: sandboxUrl
      ? { url: sandboxUrl, sts: core.getInput('sandbox-sts-endpoint') || undefined }
      : undefined,
    env,
    idToken: idTokenAvailable(env) ? (audience) => core.getIDToken(audience) : undefined,
    mask: (secret) => core.setSecret(secret),
    log: (line) => core.info(line),
    warn: (message) => core.warning(message),
    group: (name, fn) => core.group(name, fn),
    runUrl: env['GITHUB_RUN_ID']
      ? `${env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${owner}/${repo}/actions/runs/${env['GITHUB_RUN_ID']}`
      : undefined,
    restoreCache: cache.isFeatureAvailable()
      ? (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys)
      : undefined,
  });
  for (const [name, value] of Object.entries(out.outputs)) core.setOutput(name, value);
  if (env['GITHUB_STEP_SUMMARY']) {
    await core.summary
      .addHeading('idlc apply', 3)
      .addTable([
        [
          { data: 'stack', header: true },
          { data: 'result', header: true },
          { data: 'PR', header: true },
          { data: 'bundle sha256', header: true },
        ],
        ...out.results.map((r) => [
          r.stack.id,
          r.error ? `${r.status}: ${r.error.split('\n')[0] ?? ''}` : r.status,
          out.outputs['pr-number'] ? `#${out.outputs['pr-number']}` : '',
          r.bundleSha256?.slice(0, 16) ?? '',
        ]),
      ])
      .write();
  }
  if (out.failures.length > 0) throw new Error(out.failures.join('\n'));
}

main()
  .catch((err: unknown) => {
    if (err instanceof IdlcError) {
      for (const p of err.problems) core.error(formatProblem(p), { file: p.file, startLine: p.line });
    }
    core.setFailed(err instanceof Error ? err.message : String(err));
  })
  // The wasm HCL parser's runtime keeps timers alive; leave as soon as output is flushed.
  .finally(() => process.stdout.write('', () => process.exit()));
