import * as core from '@actions/core';
import {
  repository,
  runAction,
  runnerServices,
  runUrl,
  sandboxEndpoint,
  stackJobInput,
  summaryTable,
} from '../../../src/action/edge.ts';
import { providerCache } from '../../../src/action/provider-cache.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { evaluatePlanPolicy, planPolicyVerdict } from '../../../src/policy/evaluate.ts';
import { runApplyAction } from './run.ts';

/** Entry point: the only place that reads inputs and env; everything else is injected. */
runAction(async () => {
  const env = process.env;
  const repo = repository(env);
  const token = core.getInput('github-token', { required: true });
  core.setSecret(token);
  const job = stackJobInput(env, { cache: providerCache(true) });
  const out = await runApplyAction({
    ...job,
    ...runnerServices(env),
    // The apply restores the provider cache the plan jobs saved but never saves one.
    mergeSha: core.getInput('merge-sha') || env['GITHUB_SHA'] || '',
    runId: env['GITHUB_RUN_ID'] ?? 'local',
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
    trust: {
      repo,
      gh: createGitHubClient({
        token,
        apiUrl: env['GITHUB_API_URL'],
        log: { debug: (m) => core.debug(m), info: (m) => core.info(m), warning: (m) => core.warning(m) },
      }).rest,
    },
    lockTimeout: core.getInput('lock-timeout') || '5m',
    sandbox: sandboxEndpoint(env),
    env,
    evaluatePolicy: async (planJson, stack, registry, approvals) => {
      const result = await evaluatePlanPolicy({
        root: job.trustedRoot,
        planJson,
        stack,
        registry,
        approvals,
      });
      for (const w of result.warnings) core.warning(`${stack.id}: ${w}`);
      return { verdict: planPolicyVerdict(result), findings: result.findings };
    },
    runUrl: runUrl(env),
  });
  for (const [name, value] of Object.entries(out.outputs)) core.setOutput(name, value);
  await summaryTable(
    env,
    'idlc apply',
    ['stack', 'result', 'PR', 'bundle sha256'],
    out.results.map((r) => [
      r.stack.id,
      r.error ? `${r.status}: ${r.error.split('\n')[0] ?? ''}` : r.note ? `${r.status}: ${r.note}` : r.status,
      r.pullRequest ? `#${r.pullRequest}` : '',
      r.bundleSha256?.slice(0, 16) ?? '',
    ]),
  );
  if (out.failures.length > 0) throw new Error(out.failures.join('\n'));
});
