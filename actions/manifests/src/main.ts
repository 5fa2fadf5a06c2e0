import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { booleanInput, readEvent, runAction, runnerServices } from '../../../src/action/edge.ts';
import { runManifests } from './run.ts';

/** Entry point: the only place that reads inputs and env. */
runAction(async () => {
  const env = process.env;
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
  const root = resolve(workspace, core.getInput('root') || '.');
  const out = await runManifests({
    root,
    trustedRoot: resolve(workspace, core.getInput('trusted-root') || core.getInput('root') || '.'),
    resultDir: resolve(
      workspace,
      core.getInput('result-dir') || join(env['RUNNER_TEMP'] || root, 'idlc-manifests'),
    ),
    kubernetesVersion: core.getInput('kubernetes-version') || '1.33.0',
    event: readEvent(env),
    repository: env['GITHUB_REPOSITORY'] ?? '',
    runId: env['GITHUB_RUN_ID'] ?? 'local',
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
    env,
    ...runnerServices(env),
  });
  core.setOutput('ok', String(out.result.ok));
  core.setOutput('result-file', out.file);
  if (env['GITHUB_STEP_SUMMARY']) await core.summary.addRaw(out.summary, true).write();
  if (!out.result.ok && booleanInput('fail-on-problems', false)) {
    throw new Error(
      `${out.result.summary.invalid} invalid and ${out.result.summary.denied} denied manifest target(s); see the summary`,
    );
  }
});
