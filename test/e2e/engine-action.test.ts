import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/engine/provenance.ts';
import type { PlanResultFile } from '../../src/engine/result-file.ts';
import { loadApplyResults, loadStackResults } from '../../src/report/results.ts';
import { type ActionRun, runAction, webhookExample } from '../support/action-runner.ts';
import { type EngineSandbox, startEngineSandbox } from '../support/engine-sandbox.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BUCKET = 'idlc-tfstate-search-200000000001';
let sb: EngineSandbox;
let gh: GitHubDouble;

beforeAll(async () => {
  [sb, gh] = await Promise.all([startEngineSandbox(), startGitHubDouble({ owner: 'acme', repo: 'infra' })]);
  // The repository's real plan policies (and waivers) run on the sandbox plan.
  await cp(join(ROOT, 'policy'), join(sb.root, 'policy'), { recursive: true });
});
afterAll(async () => {
  await sb?.stop();
  await gh?.close();
});

/** Secrets the action registered with the runner (`::add-mask::`), and the output without those lines. */
function masking(run: ActionRun) {
  const lines = run.stdout.split('\n');
  const secrets = lines
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length).trim());
  const visible = lines.filter((l) => !l.startsWith('::add-mask::')).join('\n');
  return { secrets, visible };
}

function runnerEnv(extra: Record<string, string> = {}) {
  return {
    ...sb.issuer.runnerEnv(),
    RUNNER_TEMP: sb.tempDir,
    TF_CLI_CONFIG_FILE: String(sb.env['TF_CLI_CONFIG_FILE']),
    AWS_EC2_METADATA_DISABLED: 'true',
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_API_URL: gh.url,
    ...extra,
  };
}

describe('the bundled actions, run as the runner runs them', () => {
  it('plan on the PR, then apply after merge; credentials never leave the engine process', async () => {
    const pr = gh.state.addPullRequest();
    const headSha = pr.pull!.headSha;
    const payload = webhookExample('pull_request', 'opened');
    (payload['pull_request'] as { head: { sha: string } }).head.sha = headSha;
    sb.issuer.setContext({ eventName: 'pull_request', environment: undefined, sha: headSha });
    const resultDir = join(sb.tempDir, 'results');
    const matrixEntry = {
      id: 'aws/search/dev',
      dir: 'idlc/aws/environments/search/dev',
      team: 'search',
      env: 'dev',
      cloud: 'aws',
      engine: 'tofu',
      plan_role: 'arn:aws:iam::200000000001:role/idlc-search-dev-plan',
      apply_role: 'arn:aws:iam::200000000001:role/idlc-search-dev-apply',
      github_environment: 'search-dev',
      protected: false,
      wave: 0,
    };

    const wallStart = Date.now();
    const plan = await runAction(join(ROOT, 'actions', 'plan'), {
      cwd: sb.root,
      inputs: {
        stack: JSON.stringify(matrixEntry),
        root: '.',
        'result-dir': resultDir,
        'lock-timeout': '5s',
        'provider-cache': 'true',
        'sandbox-endpoint': sb.moto.endpoint,
        'sandbox-sts-endpoint': sb.gate.endpoint,
      },
      event: { name: 'pull_request', payload },
      env: runnerEnv({ GITHUB_RUN_ID: '8101' }),
    });
    const wallMs = Date.now() - wallStart;
    expect(plan.stderr).not.toMatch(/::error::/);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.outputs['has-changes']).toBe('true');
    expect(plan.outputs['denied']).toBe('false');
    const bundleKey = `plans/aws/search/dev/${headSha}/bundle.tar`;
    const stored = await sb.moto.s3.send(
      new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: BUCKET, Key: bundleKey }),
    );
    expect(stored.ServerSideEncryption).toBe('AES256');
    expect(sha256(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(
      plan.outputs['bundle-sha256'],
    );
    expect(plan.stdout).toContain('::group::plan aws/search/dev');
    expect(plan.summary).toContain('aws/search/dev');

    const files = await readdir(resultDir);
    expect(files).toEqual(['plan-aws__search__dev.json']);
    const result = JSON.parse(await readFile(join(resultDir, files[0]!), 'utf8')) as PlanResultFile;
    expect(result.stack).toMatchObject({ id: 'aws/search/dev', team: 'search', env: 'dev' });
    expect(result).toMatchObject({ status: 'changes', headSha, bundleSha256: plan.outputs['bundle-sha256'] });
    expect(result.model?.counts.create).toBe(2);
    expect(result.policy?.findings.filter((f) => f.status === 'deny')).toEqual([]);
    expect(result.links?.run).toBe('https://github.com/acme/infra/actions/runs/8101');
    // The report step reads it with its own contract.
    const forReport = await loadStackResults(resultDir);
    expect(forReport.results.map((r) => [r.stack.id, r.status, r.bundleSha256])).toEqual([
      ['aws/search/dev', 'changes', plan.outputs['bundle-sha256']],
    ]);
    // For docs/engine.md: the whole action process (node start, bundle load, cold SDK and HCL
    // parser, cache service absent) against the in-process plan path and the engine's share.
    console.log(
      `plan action: ${wallMs} ms wall, plan path ${result.timings?.totalMs} ms, engine ${result.timings?.engineMs} ms, ` +
        `phases ${JSON.stringify(result.timings?.phases)}`,
    );

    const planMasks = masking(plan);
    // The ID token (by @actions/core and by idlc) and the three parts of the session credentials.
    expect(new Set(planMasks.secrets).size).toBe(4);
    expect(planMasks.secrets.some((s) => /^ASIA[A-Z0-9]{16}$/.test(s))).toBe(true);
    const resultText = await readFile(join(resultDir, files[0]!), 'utf8');
    for (const secret of planMasks.secrets) {
      expect(planMasks.visible).not.toContain(secret);
      expect(plan.stderr).not.toContain(secret);
      expect(plan.env).not.toContain(secret);
      expect(JSON.stringify(plan.outputs)).not.toContain(secret);
      expect(plan.summary).not.toContain(secret);
      expect(resultText).not.toContain(secret);
    }
    expect(plan.env).toBe('');

    // Merge, then the apply job runs in the team-env GitHub environment.
    const merge = gh.state.mergePullRequest(pr.number);
    const applyDir = join(sb.tempDir, 'apply-results');
    sb.issuer.setContext({
      eventName: 'push',
      ref: 'refs/heads/main',
      environment: 'search-dev',
      sha: merge.sha,
    });
    const apply = await runAction(join(ROOT, 'actions', 'apply'), {
      cwd: sb.root,
      inputs: {
        stack: JSON.stringify(matrixEntry),
        'github-token': 'ghs_applytoken',
        'bundle-sha256': plan.outputs['bundle-sha256']!,
        'result-dir': applyDir,
        'sandbox-endpoint': sb.moto.endpoint,
        'sandbox-sts-endpoint': sb.gate.endpoint,
      },
      event: { name: 'push', payload: { after: merge.sha } },
      env: runnerEnv({ GITHUB_RUN_ID: '8102', GITHUB_SHA: merge.sha }),
    });
    expect(apply.code, apply.stdout).toBe(0);
    expect(apply.outputs).toMatchObject({
      applied: 'true',
      'pr-number': String(pr.number),
      'bundle-sha256': plan.outputs['bundle-sha256'],
    });
    expect(await sb.moto.listKeys(BUCKET, 'dev/')).toEqual(['dev/main/terraform.tfstate']);
    const applied = await loadApplyResults(applyDir);
    expect(applied.results.map((r) => [r.stack.id, r.status, r.bundleSha256])).toEqual([
      ['aws/search/dev', 'applied', plan.outputs['bundle-sha256']],
    ]);
    const applyMasks = masking(apply);
    expect(applyMasks.secrets).toContain('ghs_applytoken');
    for (const secret of applyMasks.secrets) {
      expect(applyMasks.visible).not.toContain(secret);
      expect(apply.env).not.toContain(secret);
      expect(JSON.stringify(apply.outputs)).not.toContain(secret);
    }
    expect(gh.requests.some((r) => r.operationId === 'repos/list-pull-requests-associated-with-commit')).toBe(
      true,
    );
  });

  it('a job without id-token permission fails once, naming the permission and the fork rule', async () => {
    const run = await runAction(join(ROOT, 'actions', 'plan'), {
      cwd: sb.root,
      inputs: { stack: 'aws/search/dev', 'head-sha': 'a'.repeat(40), 'sandbox-endpoint': sb.moto.endpoint },
      event: { name: 'pull_request', payload: {} },
      env: { RUNNER_TEMP: sb.tempDir, TF_CLI_CONFIG_FILE: String(sb.env['TF_CLI_CONFIG_FILE']) },
    });
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/id-token: write.*forks never receive an ID token/);
  });
});
