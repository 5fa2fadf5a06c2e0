import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/engine/provenance.ts';
import type { PlanResultFile } from '../../src/engine/result-file.ts';
import { loadApplyResults, loadStackResults } from '../../src/report/results.ts';
import { type ActionRun, runAction, webhookExample } from '../support/action-runner.ts';
import { type EngineSandbox, SANDBOX_REGISTRY, startEngineSandbox } from '../support/engine-sandbox.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BUCKET = 'idlc-tfstate-search-200000000001';
let sb: EngineSandbox;
let gh: GitHubDouble;

beforeAll(async () => {
  [sb, gh] = await Promise.all([
    startEngineSandbox({
      registry: `${SANDBOX_REGISTRY}github:\n  repository: acme/infra\n  default_branch: main\n`,
    }),
    startGitHubDouble({ owner: 'acme', repo: 'infra', strictTokens: true, clock: 'wall' }),
  ]);
  // The default branch names the issuer whose ID tokens attest plan manifests (GitHub's in
  // production; the local one here).
  await writeFile(
    join(sb.root, 'idlc.yaml'),
    `${SANDBOX_REGISTRY}github:\n  repository: acme/infra\n  default_branch: main\n  oidc_issuer: ${sb.issuer.issuer}\n`,
  );
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

/** Zip a folder the way actions/upload-artifact does (paths relative to it). */
async function zipDir(dir: string): Promise<Buffer> {
  const files: Record<string, Uint8Array> = {};
  const walk = async (rel: string) => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else files[p] = await readFile(join(dir, p));
    }
  };
  await walk('');
  return Buffer.from(zipSync(files));
}

describe('the bundled actions, run as the runner runs them', () => {
  it('plan on the PR (two trees, attested manifest), then apply after merge from the anchor; credentials never leave the engine', async () => {
    const pr = gh.state.addPullRequest({ user: gh.state.user('mallory') });
    const headSha = pr.pull!.headSha;
    const payload = webhookExample('pull_request', 'opened');
    const pull = payload['pull_request'] as { number: number; head: { sha: string }; base: { sha: string } };
    pull.number = pr.number;
    payload['number'] = pr.number;
    pull.head.sha = headSha;
    pull.base.sha = pr.pull!.baseSha;
    // The plan job of the PR's plan run: GitHub gives it a run id and a run-scoped token.
    const planRun = gh.state.addWorkflowRun({
      path: '.github/workflows/idlc-plan.yml',
      event: 'pull_request',
      pullRequest: pr.number,
    });
    sb.issuer.setContext({
      eventName: 'pull_request',
      environment: undefined,
      sha: headSha,
      ref: `refs/pull/${pr.number}/merge`,
      runId: String(planRun.id),
    });
    // The default branch's checkout (registry, policies) beside the PR's: the PR points its
    // stack at another team's account and role; the trusted registry decides.
    const trusted = join(sb.tempDir, 'trusted');
    await cp(sb.root, trusted, { recursive: true });
    const prRegistry = join(sb.root, 'idlc.yaml');
    const original = await readFile(prRegistry, 'utf8');
    await writeFile(
      prRegistry,
      original.replace(
        'dev: { aws: { account_id: "200000000001" } }',
        'dev: { aws: { account_id: "300000000001" } }',
      ),
    );
    const resultDir = join(sb.tempDir, 'plan-artifact');
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
    let plan: ActionRun;
    try {
      plan = await runAction(join(ROOT, 'actions', 'plan'), {
        cwd: sb.tempDir,
        inputs: {
          stack: JSON.stringify(matrixEntry),
          root: 'repo',
          'trusted-root': 'trusted',
          'github-token': gh.issueToken({
            kind: 'workflow',
            runId: planRun.id,
            job: 'plan',
            permissions: { contents: 'read', 'pull-requests': 'read' },
          }),
          'result-dir': resultDir,
          'lock-timeout': '5s',
          'provider-cache': 'true',
          'sandbox-endpoint': sb.moto.endpoint,
          'sandbox-sts-endpoint': sb.gate.endpoint,
        },
        event: { name: 'pull_request', payload },
        env: runnerEnv({
          GITHUB_RUN_ID: String(planRun.id),
          GITHUB_RUN_ATTEMPT: '1',
          GITHUB_REPOSITORY: 'acme/infra',
        }),
      });
    } finally {
      await writeFile(prRegistry, original);
    }
    const wallMs = Date.now() - wallStart;
    expect(plan.stderr).not.toMatch(/::error::/);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.outputs['has-changes']).toBe('true');
    expect(plan.outputs['denied']).toBe('false');
    const bundleKey = `plans/aws/search/dev/${plan.outputs['bundle-sha256']}.tar`;
    const stored = await sb.moto.s3.send(
      new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: BUCKET, Key: bundleKey }),
    );
    expect(stored.ServerSideEncryption).toBe('AES256');
    expect(sha256(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(
      plan.outputs['bundle-sha256'],
    );
    expect(plan.stdout).toContain('::group::plan aws/search/dev');
    expect(plan.summary).toContain('aws/search/dev');

    expect((await readdir(resultDir)).sort()).toEqual(['attestation.jwt', 'manifest.json', 'results']);
    const manifest = JSON.parse(await readFile(join(resultDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      schema: 'idlc.plan-manifest/v1',
      repository: 'acme/infra',
      pullRequest: pr.number,
      headSha,
      runId: String(planRun.id),
      runAttempt: '1',
      stacks: [{ id: 'aws/search/dev', status: 'changes', bundle: { bucket: BUCKET, key: bundleKey } }],
    });
    const files = await readdir(join(resultDir, 'results'));
    expect(files).toEqual(['plan-aws__search__dev.json']);
    const result = JSON.parse(
      await readFile(join(resultDir, 'results', files[0]!), 'utf8'),
    ) as PlanResultFile;
    expect(result.stack).toMatchObject({ id: 'aws/search/dev', team: 'search', env: 'dev' });
    expect(result).toMatchObject({ status: 'changes', headSha, bundleSha256: plan.outputs['bundle-sha256'] });
    // the trusted registry's role and account, not the PR's
    expect(result.principal).toBe('arn:aws:iam::200000000001:role/idlc-search-dev-plan');
    expect(result.model?.counts.create).toBe(2);
    expect(result.policy?.findings.filter((f) => f.status === 'deny')).toEqual([]);
    expect(result.links?.run).toBe(`https://github.com/acme/infra/actions/runs/${planRun.id}`);
    // The report step reads it with its own contract.
    const forReport = await loadStackResults(join(resultDir, 'results'));
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
    // The two ID tokens (credentials and attestation) by @actions/core and by idlc, and the
    // three parts of the session credentials.
    expect(planMasks.secrets.some((s) => /^ASIA[A-Z0-9]{16}$/.test(s))).toBe(true);
    const resultText = await readFile(join(resultDir, 'results', files[0]!), 'utf8');
    for (const secret of planMasks.secrets) {
      expect(planMasks.visible).not.toContain(secret);
      expect(plan.stderr).not.toContain(secret);
      expect(plan.env).not.toContain(secret);
      expect(JSON.stringify(plan.outputs)).not.toContain(secret);
      expect(plan.summary).not.toContain(secret);
      expect(resultText).not.toContain(secret);
    }
    expect(plan.env).toBe('');

    // actions/upload-artifact in the plan job, with the run's own token; the run succeeds.
    const uploadToken = gh.issueToken({
      kind: 'workflow',
      runId: planRun.id,
      job: 'plan',
      permissions: { contents: 'read' },
    });
    gh.state.uploadArtifact(uploadToken, 'idlc-plan-0-a1', await zipDir(resultDir));
    gh.state.completeWorkflowRun(planRun.id, 'success');

    // Merge, then the apply job runs in the team-env GitHub environment on the default branch.
    const merge = gh.state.mergePullRequest(pr.number);
    const applyRun = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-apply.yml', event: 'push' });
    const applyToken = gh.issueToken({
      kind: 'workflow',
      runId: applyRun.id,
      job: 'apply',
      permissions: { contents: 'read', actions: 'read', 'pull-requests': 'read' },
    });
    const applyDir = join(sb.tempDir, 'apply-results');
    sb.issuer.setContext({
      eventName: 'push',
      ref: 'refs/heads/main',
      environment: 'search-dev',
      sha: merge.sha,
      runId: String(applyRun.id),
    });
    const apply = await runAction(join(ROOT, 'actions', 'apply'), {
      cwd: sb.root,
      inputs: {
        stack: JSON.stringify({ ...matrixEntry, merges: [{ sha: merge.sha }] }),
        'github-token': applyToken,
        'result-dir': applyDir,
        'sandbox-endpoint': sb.moto.endpoint,
        'sandbox-sts-endpoint': sb.gate.endpoint,
      },
      event: { name: 'push', payload: { after: merge.sha } },
      env: runnerEnv({
        GITHUB_RUN_ID: String(applyRun.id),
        GITHUB_SHA: merge.sha,
        GITHUB_REPOSITORY: 'acme/infra',
      }),
    });
    expect(apply.code, apply.stdout).toBe(0);
    expect(apply.outputs).toMatchObject({
      applied: 'true',
      'pr-numbers': String(pr.number),
      'bundle-sha256': plan.outputs['bundle-sha256'],
    });
    expect(await sb.moto.listKeys(BUCKET, 'dev/')).toEqual(['dev/main/terraform.tfstate']);
    const applied = await loadApplyResults(applyDir);
    expect(applied.results.map((r) => [r.stack.id, r.status, r.pullRequest, r.bundleSha256])).toEqual([
      ['aws/search/dev', 'applied', pr.number, plan.outputs['bundle-sha256']],
    ]);
    const applyMasks = masking(apply);
    expect(applyMasks.secrets).toContain(applyToken);
    for (const secret of applyMasks.secrets) {
      expect(applyMasks.visible).not.toContain(secret);
      expect(apply.env).not.toContain(secret);
      expect(JSON.stringify(apply.outputs)).not.toContain(secret);
    }
    expect(gh.requests.some((r) => r.operationId === 'actions/download-artifact')).toBe(true);
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
