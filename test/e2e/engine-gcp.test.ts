import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFederatedSession, type Phase } from '../../src/auth/session.ts';
import { loadRegistry } from '../../src/config/load.ts';
import { discoverStacks, type Stack } from '../../src/discovery/stacks.ts';
import { type ApplyStackOptions, applyStack } from '../../src/engine/apply-stack.ts';
import type { SandboxEndpoint } from '../../src/engine/backend-config.ts';
import type { TrustContext } from '../../src/engine/plan-anchor.ts';
import { planStack } from '../../src/engine/plan-stack.ts';
import { type ExecFn, spawnExec } from '../../src/engine/runner.ts';
import type { StackRunContext } from '../../src/engine/stack-run.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { evaluatePlanPolicy, planPolicyVerdict } from '../../src/policy/evaluate.ts';
import { cliConfigFile } from '../../src/toolchain/tools.ts';
import { runAction, webhookExample } from '../support/action-runner.ts';
import { idlcJobWorkflowRef, REPO, writeFiles } from '../support/engine-sandbox.ts';
import { type FakeGcs, startFakeGcs } from '../support/fake-gcs.ts';
import {
  type GoogleStsDouble,
  type RenderedAccess,
  renderProjectBaselineAccess,
  startGoogleStsDouble,
} from '../support/gcp-sts-double.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.ts';
import { publishPlanRun } from '../support/plan-run.ts';

/**
 * A GCP stack through the same engine path as an AWS one: a PR plan with the plan service
 * account (GitHub ID token → Google STS double → impersonation; the engine's gcs backend goes
 * the same way through the external-account file), the bundle in the team's GCS state bucket
 * (fake-gcs-server, write-once), an attested manifest in the PR's plan run (GitHub double), and
 * the apply after merge with the apply service account: state at the registry's prefix, a
 * second apply skipped, two racing applies → one.
 */
const STACK_DIR = 'idlc/gcp/environments/assistant/dev';
const STACK_ID = 'gcp/assistant/dev';
const PROJECT = 'acme-assistant-dev';
const PROJECT_NUMBER = '123456789012';
const BUCKET = `idlc-tfstate-assistant-${PROJECT}`;
const PROVIDER = `projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/github/providers/github-actions`;
const identity = { repository: REPO, defaultBranch: 'main' };
const [owner, repoName] = REPO.split('/') as [string, string];

const registry = (issuer: string) => `version: 1
github:
  repository: ${REPO}
  default_branch: main
  oidc_issuer: ${issuer}
engine:
  name: tofu
  version: 1.12.6
clouds:
  gcp:
    default_region: europe-west4
environments:
  - name: dev
  - name: prod
    protected: true
state:
  bucket: idlc-tfstate-{team}-{account_id}
  gcs_bucket: idlc-tfstate-{team}-{project}
  key: "{env}/{stack}/terraform.tfstate"
  plans_prefix: plans/
teams:
  assistant:
    owners: ["@acme/assistant"]
    cost_center: cc-2200
    envs:
      dev:
        gcp:
          project: ${PROJECT}
          workload_identity_provider: ${PROVIDER}
`;

const stackSources = (opts: { message?: string; slowSeconds?: number } = {}): Record<string, string> => ({
  'versions.tf': `terraform {
  required_version = ">= 1.10.0"
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "0.14.2"
    }
  }
  # Partial backend: idlc injects the bucket and prefix from idlc.yaml.
  backend "gcs" {}
}
`,
  'variables.tf': `variable "idlc" {
  description = "Injected by idlc from the platform registry."
  type = object({
    team        = string
    env         = string
    project     = string
    region      = string
    cost_center = string
    owner       = string
    stack       = string
  })
}
`,
  'main.tf': `resource "terraform_data" "config" {
  input = {
    name    = "\${var.idlc.team}-\${var.idlc.env}"
    project = var.idlc.project
    message = "${opts.message ?? 'hello'}"
  }
}

resource "time_static" "created" {}
${
  opts.slowSeconds
    ? `
resource "terraform_data" "slow" {
  input = var.idlc.stack
  provisioner "local-exec" {
    command = "sleep ${opts.slowSeconds}"
  }
}
`
    : ''
}
output "name" {
  value = terraform_data.config.output.name
}
`,
});

let tempDir: string;
let root: string;
let gcs: FakeGcs;
let sts: GoogleStsDouble;
let issuer: OidcIssuer;
let gh: GitHubDouble;
let access: RenderedAccess;
let trust: TrustContext;
let sandbox: SandboxEndpoint;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'idlc-engine-gcp-'));
  root = join(tempDir, 'repo');
  [gcs, sts, issuer, gh, access] = await Promise.all([
    startFakeGcs(),
    startGoogleStsDouble(),
    startOidcIssuer({ repository: REPO }, { jobWorkflowRef: idlcJobWorkflowRef }),
    startGitHubDouble({ owner, repo: repoName, strictTokens: true }),
    renderProjectBaselineAccess({
      team: 'assistant',
      env: 'dev',
      projectNumber: PROJECT_NUMBER,
      projectId: PROJECT,
      repository: REPO,
      environments: ['assistant-dev'],
      stateBucket: BUCKET,
    }),
  ]);
  // The bootstrap: the team's state bucket, and the WIF provider and service account bindings
  // project-baseline renders for this project.
  await gcs.createBucket(BUCKET);
  sts.addProject(access, issuer.issuer);
  sandbox = { url: gcs.endpoint, sts: sts.endpoint };
  await writeFiles(root, { 'idlc.yaml': registry(issuer.issuer) });
  await writeFiles(
    root,
    Object.fromEntries(Object.entries(stackSources()).map(([f, t]) => [`${STACK_DIR}/${f}`, t])),
  );
  // The default branch's policies, evaluated by the real opa at apply.
  await cp(join(import.meta.dirname, '..', '..', 'policy'), join(root, 'policy'), { recursive: true });
  const tofurc = cliConfigFile();
  if (!tofurc) throw new Error('no provider mirror config: run scripts/install-tools');
  env = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    IDLC_TOOLS_DIR: process.env['IDLC_TOOLS_DIR'],
    TF_CLI_CONFIG_FILE: tofurc,
  };
  const run = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-apply.yml', event: 'push' });
  trust = {
    gh: createGitHubClient({
      token: gh.issueToken({
        kind: 'workflow',
        runId: run.id,
        job: 'apply',
        permissions: { contents: 'read', actions: 'read', 'pull-requests': 'read' },
      }),
      apiUrl: gh.url,
      graphqlUrl: gh.graphqlUrl,
      retryBaseMs: 5,
      throttle: false,
    }).rest,
    repo: { owner, repo: repoName },
    identity,
    issuer: issuer.issuer,
  };
});
afterAll(async () => {
  await gh?.close();
  await sts?.stop();
  await issuer?.stop();
  await gcs?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

async function stackOf(id: string): Promise<{ stack: Stack; context: StackRunContext }> {
  const loaded = await loadRegistry(root);
  const stack = (await discoverStacks(loaded)).find((s) => s.id === id);
  if (!stack) throw new Error(`no stack ${id}`);
  return {
    stack,
    context: {
      root,
      loaded,
      stack,
      env,
      sandbox,
      pluginCacheDir: join(tempDir, 'plugin-cache'),
      tempDir,
      lockTimeout: '2s',
    },
  };
}

/** CI credentials as the plan and apply jobs get them: ID token of the job → STS double. */
function session(
  stack: Stack,
  phase: Phase,
  runId: string,
  job: Parameters<OidcIssuer['setContext']>[0] = {},
) {
  issuer.setContext(
    phase === 'plan'
      ? {
          eventName: 'pull_request',
          ref: 'refs/pull/1/merge',
          environment: undefined,
          jobWorkflowRef: undefined,
          runId,
        }
      : {
          eventName: 'push',
          ref: 'refs/heads/main',
          environment: stack.target.githubEnvironment,
          jobWorkflowRef: undefined,
          runId,
        },
  );
  if (Object.keys(job).length > 0) issuer.setContext(job);
  return openFederatedSession({
    stackId: stack.id,
    target: stack.target,
    phase,
    runId,
    idToken: async (aud) => {
      const res = await fetch(`${issuer.requestUrl}&audience=${encodeURIComponent(aud)}`, {
        headers: { authorization: `Bearer ${issuer.requestToken}` },
      });
      return ((await res.json()) as { value: string }).value;
    },
    mask: () => {},
    stsEndpoint: sts.endpoint,
    tempDir,
  });
}

async function planPR() {
  const pr = gh.state.addPullRequest({ user: gh.state.user('mallory') });
  const { stack, context } = await stackOf(STACK_ID);
  const runId = `plan-${pr.number}`;
  const res = await planStack({
    ...context,
    headSha: pr.pull!.headSha,
    runId,
    storeBundle: true,
    openSession: () => session(stack, 'plan', runId),
  });
  await publishPlanRun({ gh, issuer, identity, pr: pr.number, plans: [{ stack, result: res }] });
  return { pr, res, stack };
}

function recorder() {
  const commands: string[] = [];
  const exec: ExecFn = async (cmd, args, opts) => {
    commands.push(args[0] ?? '');
    return await spawnExec(cmd, args, opts);
  };
  return { commands, exec };
}

async function apply(
  mergeSha: string,
  extra: Partial<ApplyStackOptions> = {},
  runId = `apply-${mergeSha.slice(0, 6)}`,
) {
  const { stack, context } = await stackOf(STACK_ID);
  return await applyStack({
    ...context,
    ...(extra.exec ? { exec: extra.exec } : {}),
    mergeSha,
    runId,
    runAttempt: '1',
    trust,
    evaluatePolicy: async (planJson, approvals) => {
      const result = await evaluatePlanPolicy({
        root,
        planJson,
        stack,
        registry: context.loaded.registry,
        approvals,
      });
      return { verdict: planPolicyVerdict(result), findings: result.findings };
    },
    openSession: () => session(stack, 'apply', runId),
    ...extra,
  });
}

describe('a GCP stack planned on the PR and applied after merge', () => {
  it('plans with the plan account, stores the bundle write-once in GCS, applies it with the apply account; state at the registry prefix; a second apply skips', async () => {
    const decisionsBefore = sts.decisions.length;
    const { pr, res, stack } = await planPR();
    expect(stack.target.state).toMatchObject({
      backend: 'gcs',
      bucket: BUCKET,
      key: 'dev/main/terraform.tfstate',
    });
    expect(res.hasChanges).toBe(true);
    expect(res.model.counts.create).toBe(2);
    expect(res.principal).toBe(access.planServiceAccount);
    expect(res.bundle?.key).toBe(`plans/gcp/assistant/dev/${res.bundle?.sha256}.tar`);
    expect(await gcs.listNames(BUCKET, 'plans/')).toEqual([res.bundle!.key]);
    // the toolkit (JSON) and the engine's gcs backend (Google's Go library, form-encoded) both
    // exchanged the job's token and impersonated the plan account, and nothing else
    const planDecisions = sts.decisions.slice(decisionsBefore);
    expect(planDecisions.filter((d) => d.status !== 200)).toEqual([]);
    expect(
      new Set(
        planDecisions
          .filter((d) => d.api === 'iamcredentials.generateAccessToken')
          .map((d) => d.serviceAccount),
      ),
    ).toEqual(new Set([access.planServiceAccount]));
    const exchanges = sts.received
      .filter((r) => r.api === 'sts.token')
      .map((r) => r.contentType.split(';')[0]);
    expect(new Set(exchanges)).toEqual(new Set(['application/json', 'application/x-www-form-urlencoded']));

    const merge = gh.state.mergePullRequest(pr.number);
    const result = await apply(merge.sha);
    expect(result).toMatchObject({
      applied: true,
      headSha: pr.pull!.headSha,
      bundleSha256: res.bundle!.sha256,
      principal: access.applyServiceAccount,
    });
    expect(result.policy).toMatchObject({ evaluated: true, denied: false });
    const names = await gcs.listNames(BUCKET);
    expect(names).toContain('dev/main/default.tfstate');
    expect(names).not.toContain('dev/main/default.tflock');
    const state = JSON.parse(await gcs.getText(BUCKET, 'dev/main/default.tfstate'));
    expect(state.resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`).sort()).toEqual([
      'terraform_data.config',
      'time_static.created',
    ]);
    expect(state.outputs.name.value).toBe('assistant-dev');
    const prefix = `plans/gcp/assistant/dev/${res.bundle!.sha256}`;
    expect(names.filter((n) => n.startsWith('plans/'))).toEqual([
      `${prefix}.claim.1.json`,
      `${prefix}.result.1.json`,
      `${prefix}.tar`,
    ]);
    expect(JSON.parse(await gcs.getText(BUCKET, `${prefix}.result.1.json`))).toMatchObject({
      status: 'applied',
      mergeSha: merge.sha,
      pullRequest: pr.number,
    });
    // every object the toolkit wrote under plans/ is one the module's conditions let that account create
    const { evaluate } = await import('@marcbachmann/cel-js');
    const allows = (grant: string, name: string) =>
      evaluate(access.storageConditions[grant]!, {
        resource: { name: `projects/_/buckets/${BUCKET}/objects/${name}` },
      });
    expect(allows('plan_bundles', `${prefix}.tar`)).toBe(true);
    expect(allows('apply_records', `${prefix}.claim.1.json`)).toBe(true);
    expect(allows('apply_records', `${prefix}.result.1.json`)).toBe(true);
    expect(allows('apply_state', 'dev/main/default.tfstate')).toBe(true);

    // The same merge again (a later run catching up): skipped before any engine command.
    const rec = recorder();
    const again = await apply(merge.sha, { exec: rec.exec });
    expect(again.applied).toBe(false);
    expect(again.skipped).toMatch(/^already applied by run apply-[0-9a-f]{6} attempt 1/);
    expect(rec.commands).toEqual(['version']);
  });

  it('two runs racing to apply one bundle: exactly one applies, the other refuses without running apply', async () => {
    const { stack } = await stackOf(STACK_ID);
    await writeFiles(
      root,
      Object.fromEntries(
        Object.entries(stackSources({ message: 'v2', slowSeconds: 2 })).map(([f, t]) => [
          `${STACK_DIR}/${f}`,
          t,
        ]),
      ),
    );
    expect(stack.id).toBe(STACK_ID);
    const { pr, res } = await planPR();
    expect(res.model.counts).toMatchObject({ create: 1, update: 1 });
    const merge = gh.state.mergePullRequest(pr.number);
    const a = recorder();
    const b = recorder();
    const outcomes = await Promise.allSettled([
      apply(merge.sha, { exec: a.exec }, 'apply-race-a'),
      apply(merge.sha, { exec: b.exec }, 'apply-race-b'),
    ]);
    const applied = outcomes.filter((o) => o.status === 'fulfilled' && o.value.applied);
    expect(applied).toHaveLength(1);
    const other = outcomes.find((o) => !(o.status === 'fulfilled' && o.value.applied));
    if (other?.status === 'rejected') {
      expect(String(other.reason)).toMatch(
        /refusing to apply the plan reviewed on #\d+: .*(claimed this plan|applied|other runs)/,
      );
    } else {
      expect(other?.value.skipped).toMatch(/already applied/);
    }
    // the engine's apply ran once in all
    expect([...a.commands, ...b.commands].filter((c) => c === 'apply')).toHaveLength(1);
    const prefix = `plans/gcp/assistant/dev/${res.bundle!.sha256}`;
    expect((await gcs.listNames(BUCKET, prefix)).filter((n) => n.includes('.claim.'))).toEqual([
      `${prefix}.claim.1.json`,
    ]);
  });

  it('the plan job cannot apply: the apply account refuses its token, before any engine command', async () => {
    const { stack } = await stackOf(STACK_ID);
    const before = sts.decisions.length;
    const err = (await session(stack, 'apply', 'wrong', {
      eventName: 'pull_request',
      ref: 'refs/pull/1/merge',
      environment: 'assistant-dev',
      jobWorkflowRef: `${REPO}/.github/workflows/idlc-plan-run.yml@refs/heads/main`,
    }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /cannot act as idlc-assistant-dev-apply@acme-assistant-dev\.iam\.gserviceaccount\.com: 403 PERMISSION_DENIED/,
    );
    expect(sts.decisions.slice(before).map((d) => d.status)).toEqual([200, 403]);
  });

  it('the credential file handed to the engine names the stand-in, and nothing is left on disk after the run', async () => {
    const { stack } = await stackOf(STACK_ID);
    const s = await session(stack, 'plan', 'files');
    const file = s.env['GOOGLE_APPLICATION_CREDENTIALS']!;
    const config = JSON.parse(await readFile(file, 'utf8'));
    expect(config).toMatchObject({
      type: 'external_account',
      audience: `//iam.googleapis.com/${PROVIDER}`,
      token_url: `${sts.endpoint}/v1/token`,
      service_account_impersonation_url: `${sts.endpoint}/v1/projects/-/serviceAccounts/${access.planServiceAccount}:generateAccessToken`,
    });
    expect(await s.gcpAccessToken!()).toMatch(/^ya29\./);
    await s.cleanup();
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });
});

describe('the plan action on a PR touching idlc/gcp/...', () => {
  it('plans the GCP stack with the plan account and stores its bundle in GCS (the check used to fail for every GCP PR)', async () => {
    // the bundled action as the runner runs it, on a change the earlier cases did not apply
    const actionDir = join(import.meta.dirname, '..', '..', 'actions', 'plan');
    await writeFiles(
      root,
      Object.fromEntries(
        Object.entries(stackSources({ message: 'from the action' })).map(([f, t]) => [
          `${STACK_DIR}/${f}`,
          t,
        ]),
      ),
    );
    const pr = gh.state.addPullRequest({ user: gh.state.user('mallory') });
    const headSha = pr.pull!.headSha;
    const payload = webhookExample('pull_request', 'opened');
    const pull = payload['pull_request'] as { number: number; head: { sha: string }; base: { sha: string } };
    pull.number = pr.number;
    payload['number'] = pr.number;
    pull.head.sha = headSha;
    pull.base.sha = pr.pull!.baseSha;
    const planRun = gh.state.addWorkflowRun({
      path: '.github/workflows/idlc-plan.yml',
      event: 'pull_request',
      pullRequest: pr.number,
    });
    issuer.setContext({
      eventName: 'pull_request',
      environment: undefined,
      jobWorkflowRef: undefined,
      sha: headSha,
      ref: `refs/pull/${pr.number}/merge`,
      runId: String(planRun.id),
    });
    const { stack } = await stackOf(STACK_ID);
    const resultDir = join(tempDir, 'gcp-plan-artifact');
    const plan = await runAction(actionDir, {
      cwd: tempDir,
      inputs: {
        stack: JSON.stringify({
          id: STACK_ID,
          dir: STACK_DIR,
          team: 'assistant',
          env: 'dev',
          cloud: 'gcp',
          engine: 'tofu',
          plan_role: stack.target.planRole,
          apply_role: stack.target.applyRole,
          github_environment: 'assistant-dev',
          protected: false,
          wave: 0,
        }),
        root: 'repo',
        'trusted-root': 'repo',
        'github-token': gh.issueToken({
          kind: 'workflow',
          runId: planRun.id,
          job: 'plan',
          permissions: { contents: 'read', 'pull-requests': 'read' },
        }),
        'result-dir': resultDir,
        'lock-timeout': '5s',
        'provider-cache': 'false',
        'sandbox-endpoint': gcs.endpoint,
        'sandbox-sts-endpoint': sts.endpoint,
      },
      event: { name: 'pull_request', payload },
      env: {
        ...issuer.runnerEnv(),
        RUNNER_TEMP: tempDir,
        TF_CLI_CONFIG_FILE: String(env['TF_CLI_CONFIG_FILE']),
        GITHUB_REPOSITORY: REPO,
        GITHUB_API_URL: gh.url,
        GITHUB_RUN_ID: String(planRun.id),
        GITHUB_RUN_ATTEMPT: '1',
      },
    });
    expect(plan.stderr).not.toMatch(/::error::/);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).not.toMatch(/::error::/);
    expect(plan.outputs['has-changes']).toBe('true');
    const sha = plan.outputs['bundle-sha256'];
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(await gcs.listNames(BUCKET, `plans/gcp/assistant/dev/${sha}`)).toEqual([
      `plans/gcp/assistant/dev/${sha}.tar`,
    ]);
    const manifest = JSON.parse(await readFile(join(resultDir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks).toMatchObject([
      {
        id: STACK_ID,
        status: 'changes',
        bundle: { bucket: BUCKET, key: `plans/gcp/assistant/dev/${sha}.tar`, sha256: sha },
      },
    ]);
    const [file] = await readdir(join(resultDir, 'results'));
    const result = JSON.parse(await readFile(join(resultDir, 'results', file!), 'utf8'));
    expect(result.principal).toBe(access.planServiceAccount);
    // the access tokens (toolkit's) were masked before anything printed them
    const masked = plan.stdout
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length).trim());
    expect(masked.some((m) => m.startsWith('ya29.'))).toBe(true);
    for (const secret of masked)
      expect(
        plan.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
      ).not.toContain(secret);
  });
});
