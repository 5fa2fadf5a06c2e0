import * as core from '@actions/core';
import {
  booleanInput,
  readEvent,
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
import { type PullRequestContext, runPlanAction } from './run.ts';

interface PullRequestEvent {
  number?: number;
  pull_request?: {
    number?: number;
    head?: { sha?: string };
    base?: { sha?: string };
    user?: { login?: string };
    labels?: { name?: string }[];
  };
}

function pullRequestOf(event: PullRequestEvent): PullRequestContext | undefined {
  const pr = event.pull_request;
  if (!pr?.number || !pr.head?.sha || !pr.base?.sha) return undefined;
  return {
    number: pr.number,
    headSha: pr.head.sha,
    baseSha: pr.base.sha,
    author: pr.user?.login ?? '',
    labels: (pr.labels ?? []).map((l) => l.name ?? '').filter(Boolean),
  };
}

/** Entry point: the only place that reads inputs and env; everything else is injected. */
runAction(async () => {
  const env = process.env;
  const job = stackJobInput(env, { cache: providerCache(booleanInput('provider-cache', true)) });
  const services = runnerServices(env);
  const pullRequest = pullRequestOf(readEvent(env) as PullRequestEvent);
  const token = core.getInput('github-token');
  const policy = booleanInput('policy', true);
  const out = await runPlanAction({
    ...job,
    ...services,
    headSha: core.getInput('head-sha') || pullRequest?.headSha || env['GITHUB_SHA'] || '',
    pullRequest,
    repository: env['GITHUB_REPOSITORY'] ?? '',
    runId: env['GITHUB_RUN_ID'] ?? 'local',
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
    lockTimeout: core.getInput('lock-timeout') || '5m',
    sandbox: sandboxEndpoint(env),
    env,
    github: token
      ? createGitHubClient({
          token,
          apiUrl: env['GITHUB_API_URL'],
          log: { debug: (m) => core.debug(m), info: (m) => core.info(m), warning: (m) => core.warning(m) },
        }).rest
      : undefined,
    evaluatePolicy: policy
      ? async (planJson, stack, registry, approvals) => {
          // The default branch's policies and waivers (trusted root), never the PR's.
          const result = await evaluatePlanPolicy({
            root: job.trustedRoot,
            planJson,
            stack,
            registry,
            approvals,
          });
          for (const w of result.warnings) core.warning(`${stack.id}: ${w}`);
          return { verdict: planPolicyVerdict(result), findings: result.findings };
        }
      : undefined,
    runUrl: runUrl(env),
  });
  for (const [name, value] of Object.entries(out.outputs)) core.setOutput(name, value);
  await summaryTable(
    env,
    'idlc plan',
    ['stack', 'result', 'policy', 'bundle sha256'],
    out.results.map((r) => [
      r.stack.id,
      r.status,
      r.policy ? `${r.policy.findings.filter((f) => f.status === 'deny').length} denied` : 'not evaluated',
      r.bundleSha256?.slice(0, 16) ?? '',
    ]),
  );
  if (out.failures.length > 0) {
    throw new Error(
      `${out.failures.length} of ${out.results.length} stack(s) failed to plan:\n${out.failures.join('\n')}`,
    );
  }
});
