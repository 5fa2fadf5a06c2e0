import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { idTokenAvailable } from '../../../src/auth/id-token.ts';
import { evaluatePlanPolicy, planPolicyVerdict } from '../../../src/policy/evaluate.ts';
import { formatProblem, IdlcError } from '../../../src/util/errors.ts';
import { type CacheService, runPlanAction } from './run.ts';

interface PullRequestEvent {
  pull_request?: { head?: { sha?: string }; labels?: { name?: string }[] };
}

function readEvent(env: NodeJS.ProcessEnv): PullRequestEvent {
  try {
    return JSON.parse(readFileSync(env['GITHUB_EVENT_PATH'] ?? '', 'utf8')) as PullRequestEvent;
  } catch {
    return {}; // no event file: a local run
  }
}

/** Entry point: the only place that reads inputs and env; everything else is injected. */
async function main(): Promise<void> {
  const env = process.env;
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
  const runnerTemp = env['RUNNER_TEMP'] || tmpdir();
  const sandboxUrl = core.getInput('sandbox-endpoint');
  const event = readEvent(env);
  const root = resolve(workspace, core.getInput('root') || '.');
  // Reviewer labels such as destroy-approved are what the plan policies call approvals.
  const approvals = (event.pull_request?.labels ?? []).map((l) => l.name ?? '').filter(Boolean);
  const cacheService: CacheService | undefined =
    (core.getInput('provider-cache') || 'true').toLowerCase() !== 'false' && cache.isFeatureAvailable()
      ? {
          restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
          save: async (paths, key) => {
            await cache.saveCache(paths, key);
          },
        }
      : undefined;

  const out = await runPlanAction({
    root,
    stack: core.getInput('stack', { required: true }),
    headSha: core.getInput('head-sha') || event.pull_request?.head?.sha || env['GITHUB_SHA'] || '',
    runId: env['GITHUB_RUN_ID'] ?? 'local',
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
    cache: cacheService,
    evaluatePolicy:
      (core.getInput('policy') || 'true').toLowerCase() === 'false'
        ? undefined
        : async (planJson, stack, registry) => {
            const result = await evaluatePlanPolicy({ root, planJson, stack, registry, approvals });
            for (const w of result.warnings) core.warning(`${stack.id}: ${w}`);
            return { verdict: planPolicyVerdict(result), findings: result.findings };
          },
    runUrl: env['GITHUB_RUN_ID']
      ? `${env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${env['GITHUB_REPOSITORY']}/actions/runs/${env['GITHUB_RUN_ID']}`
      : undefined,
  });
  for (const [name, value] of Object.entries(out.outputs)) core.setOutput(name, value);
  if (env['GITHUB_STEP_SUMMARY']) {
    const rows = out.results.map((r) => [
      r.stack.id,
      r.status,
      r.policy ? `${r.policy.findings.filter((f) => f.status === 'deny').length} denied` : 'not evaluated',
      r.bundleSha256?.slice(0, 16) ?? '',
    ]);
    await core.summary
      .addHeading('idlc plan', 3)
      .addTable([
        [
          { data: 'stack', header: true },
          { data: 'result', header: true },
          { data: 'policy', header: true },
          { data: 'bundle sha256', header: true },
        ],
        ...rows,
      ])
      .write();
  }
  if (out.failures.length > 0) {
    throw new Error(
      `${out.failures.length} of ${out.results.length} stack(s) failed to plan:\n${out.failures.join('\n')}`,
    );
  }
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
