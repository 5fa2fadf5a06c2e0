import { readdir } from 'node:fs/promises';
import * as core from '@actions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySubject, planSubject } from '../../src/auth/oidc-subjects.ts';
import { openFederatedSession } from '../../src/auth/session.ts';
import { planStack } from '../../src/engine/plan-stack.ts';
import { type ExecFn, spawnExec } from '../../src/engine/runner.ts';
import { type EngineSandbox, REPO, SANDBOX_REGISTRY, startEngineSandbox } from '../support/engine-sandbox.ts';
import { startOidcIssuer } from '../support/oidc-issuer.ts';
import { evaluateTrustPolicy, type TrustPolicy, verifyIdToken } from '../support/sts-trust.ts';

const HEAD = 'd'.repeat(40);
const ID = { repository: REPO, defaultBranch: 'main' };
let sb: EngineSandbox;

// search/dev's plan role deliberately points into assistant's account: the role exists and
// trusts PRs, so STS succeeds; only the account guard stands between it and assistant's state.
const MISROUTED = SANDBOX_REGISTRY.replace(
  'dev: { aws: { account_id: "200000000001" } }',
  'dev: { aws: { account_id: "200000000001", plan_role: "arn:aws:iam::300000000001:role/idlc-assistant-dev-plan" } }',
);

beforeAll(async () => {
  sb = await startEngineSandbox({
    stacks: ['idlc/aws/environments/search/dev', 'idlc/aws/environments/assistant/dev'],
  });
});
afterAll(async () => {
  await sb?.stop();
});

const fetcher = (aud: string) =>
  fetch(`${sb.issuer.requestUrl}&audience=${encodeURIComponent(aud)}`, {
    headers: { authorization: `Bearer ${sb.issuer.requestToken}` },
  }).then(async (r) => ((await r.json()) as { value: string }).value);

describe('the local OIDC issuer', () => {
  it('serves the runner token endpoint the way @actions/core calls it', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, sb.issuer.runnerEnv());
    try {
      sb.issuer.setContext({ eventName: 'pull_request', environment: undefined });
      const token = await core.getIDToken('sts.amazonaws.com');
      const claims = await verifyIdToken(token, sb.issuer.issuer);
      // The repository's subject customization (repo, context, job_workflow_ref); the PR's plan
      // job runs in the reusable plan-run workflow called at main.
      expect(claims).toMatchObject({
        sub: planSubject(ID, 'search', 'dev', false),
        aud: 'sts.amazonaws.com',
        repository: REPO,
        iss: sb.issuer.issuer,
        workflow_ref: `${REPO}/.github/workflows/idlc-plan.yml@refs/pull/7/merge`,
        job_workflow_ref: `${REPO}/.github/workflows/idlc-plan-run.yml@refs/heads/main`,
      });
    } finally {
      process.env = saved;
    }
    expect(sb.issuer.requests.at(-1)).toEqual({ audience: 'sts.amazonaws.com', authorized: true });
    const unauthorized = await fetch(`${sb.issuer.requestUrl}&audience=x`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(unauthorized.status).toBe(401);
  });

  it('tokens verify against its JWKS, and the github-oidc trust rules decide on sub and aud', async () => {
    // The policies the module rendered for the sandbox registry (test/support/rendered-trust.ts).
    const role = (name: string) => sb.gate.roles.get(`arn:aws:iam::200000000001:role/${name}`) as TrustPolicy;
    const plan = role('idlc-search-dev-plan');
    const apply = role('idlc-search-dev-apply');
    const verify = async (ctx: Parameters<typeof sb.issuer.setContext>[0], aud = 'sts.amazonaws.com') => {
      sb.issuer.setContext(ctx);
      return await verifyIdToken(await sb.issuer.issue(aud), sb.issuer.issuer);
    };
    const pr = await verify({ eventName: 'pull_request', environment: undefined });
    const envJob = await verify({ eventName: 'push', ref: 'refs/heads/main', environment: 'search-dev' });
    expect(envJob.sub).toBe(applySubject(ID, 'search', 'dev'));
    const otherEnv = await verify({ eventName: 'push', ref: 'refs/heads/main', environment: 'search-prod' });
    const mainPush = await verify({ eventName: 'push', ref: 'refs/heads/main', environment: undefined });
    const wrongAud = await verify(
      { eventName: 'pull_request', environment: undefined },
      'https://github.com/acme',
    );
    const fork = await verify({
      repository: 'mallory/infra',
      eventName: 'pull_request',
      environment: undefined,
    });
    sb.issuer.setContext({ repository: REPO });

    const ok = (p: typeof plan, c: typeof pr) => evaluateTrustPolicy(p, sb.issuer.issuer, c).allowed;
    expect(ok(plan, pr)).toBe(true);
    expect(ok(plan, envJob)).toBe(false);
    expect(ok(apply, envJob)).toBe(true);
    expect(ok(apply, pr)).toBe(false);
    expect(ok(apply, otherEnv)).toBe(false);
    expect(ok(apply, mainPush)).toBe(false);
    expect(ok(plan, wrongAud)).toBe(false);
    expect(ok(plan, fork)).toBe(false);
  });

  it('a token from another issuer key, or expired, does not verify', async () => {
    const stranger = await startOidcIssuer({ repository: REPO });
    try {
      const forged = await stranger.issue('sts.amazonaws.com', { iss: sb.issuer.issuer });
      await expect(verifyIdToken(forged, sb.issuer.issuer)).rejects.toThrow();
    } finally {
      await stranger.stop();
    }
    const expired = await sb.issuer.issue('sts.amazonaws.com', { exp: Math.floor(Date.now() / 1000) - 60 });
    await expect(verifyIdToken(expired, sb.issuer.issuer)).rejects.toThrow(/exp/);
  });
});

describe('STS through the trust gate', () => {
  it('gives a PR job the plan role credentials of the team account', async () => {
    const { stack } = await sb.stack('aws/search/dev');
    const masked: string[] = [];
    const s = await openFederatedSession({
      stackId: stack.id,
      target: stack.target,
      phase: 'plan',
      runId: '555',
      idToken: fetcher,
      mask: (x) => masked.push(x),
      stsEndpoint: sb.gate.endpoint,
    });
    expect(s.identity).toMatchObject({
      account: '200000000001',
      arn: 'arn:aws:sts::200000000001:assumed-role/idlc-search-dev-plan/idlc-555-aws-search-dev',
    });
    expect(Object.keys(s.env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_DEFAULT_REGION',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ]);
    // token, key id, secret, session token: every secret was handed to the masker.
    expect(masked).toHaveLength(4);
    expect(masked).toContain(s.env['AWS_SECRET_ACCESS_KEY']);
  });

  it('refuses a PR token for the apply role with a message naming role, sub and the fix', async () => {
    const { stack } = await sb.stack('aws/search/dev');
    sb.issuer.setContext({ eventName: 'pull_request', environment: undefined });
    const err = await openFederatedSession({
      stackId: stack.id,
      target: stack.target,
      phase: 'apply',
      runId: '1',
      idToken: fetcher,
      mask: () => {},
      stsEndpoint: sb.gate.endpoint,
    }).catch((e: Error) => e);
    expect(String(err)).toMatch(
      /STS refused AssumeRoleWithWebIdentity for arn:aws:iam::200000000001:role\/idlc-search-dev-apply: AccessDenied/,
    );
    expect(String(err)).toContain(`sub "${planSubject(ID, 'search', 'dev', false)}"`);
    expect(String(err)).toMatch(/environment:<team>-<env>/);
    expect(sb.gate.decisions.at(-1)).toMatchObject({ allowed: false });
  });

  it('refuses a role that does not exist', async () => {
    const { stack } = await sb.stack('aws/search/dev');
    const target = { ...stack.target, planRole: 'arn:aws:iam::200000000001:role/idlc-search-dev-plan-typo' };
    await expect(
      openFederatedSession({
        stackId: stack.id,
        target,
        phase: 'plan',
        runId: '1',
        idToken: fetcher,
        mask: () => {},
        stsEndpoint: sb.gate.endpoint,
      }),
    ).rejects.toThrow(/AccessDenied[\s\S]*check that the role exists in account 200000000001/);
  });

  it('explains a job without an ID token (no id-token: write, or a fork PR)', async () => {
    const { stack } = await sb.stack('aws/search/dev');
    await expect(
      openFederatedSession({
        stackId: stack.id,
        target: stack.target,
        phase: 'plan',
        runId: '1',
        idToken: undefined,
        mask: () => {},
        stsEndpoint: sb.gate.endpoint,
      }),
    ).rejects.toThrow(/id-token: write[\s\S]*forks/);
  });

  it('reports an unreachable STS endpoint', async () => {
    const { stack } = await sb.stack('aws/search/dev');
    await expect(
      openFederatedSession({
        stackId: stack.id,
        target: stack.target,
        phase: 'plan',
        runId: '1',
        idToken: fetcher,
        mask: () => {},
        stsEndpoint: 'http://127.0.0.1:9',
      }),
    ).rejects.toThrow(/cannot reach STS at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('isolation between teams', () => {
  it('refuses credentials of another account before init, touching no bucket', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const original = SANDBOX_REGISTRY;
    await writeFile(join(sb.root, 'idlc.yaml'), MISROUTED);
    const commands: string[] = [];
    const recording: ExecFn = async (cmd, args, opts) => {
      commands.push(args[0] ?? '');
      return await spawnExec(cmd, args, opts);
    };
    try {
      const ctx = await sb.context('aws/search/dev', { exec: recording });
      const err = await planStack({
        ...ctx,
        headSha: HEAD,
        runId: '9',
        storeBundle: true,
        openSession: () => sb.session(ctx.stack, 'plan', '9'),
      }).catch((e: Error) => e);
      expect(String(err)).toMatch(
        /credentials belong to account 300000000001 .* but idlc\.yaml says team "search" env "dev" is account 200000000001/,
      );
      expect(commands).toEqual(['version']);
      expect(await sb.moto.listKeys('idlc-tfstate-assistant-300000000001')).toEqual([]);
      expect(await sb.moto.listKeys('idlc-tfstate-search-200000000001')).toEqual([]);
      // No engine working data was left behind either.
      expect((await readdir(sb.tempDir)).filter((d) => d.startsWith('idlc-aws-search-dev-'))).toEqual([]);
    } finally {
      await writeFile(join(sb.root, 'idlc.yaml'), original);
    }
  });

  it("routes each team's plan to its own bucket and account only", async () => {
    const seen: Record<string, string[]> = {};
    const bundles: Record<string, string> = {};
    for (const id of ['aws/search/dev', 'aws/assistant/dev']) {
      const ctx = await sb.context(id);
      const res = await planStack({
        ...ctx,
        headSha: HEAD,
        runId: '10',
        storeBundle: true,
        openSession: () => sb.session(ctx.stack, 'plan', '10'),
      });
      seen[id] = [res.principal, res.bundle?.bucket ?? ''];
      bundles[id] = res.bundle?.sha256 ?? '';
    }
    expect(seen).toEqual({
      'aws/search/dev': [
        'arn:aws:iam::200000000001:role/idlc-search-dev-plan',
        'idlc-tfstate-search-200000000001',
      ],
      'aws/assistant/dev': [
        'arn:aws:iam::300000000001:role/idlc-assistant-dev-plan',
        'idlc-tfstate-assistant-300000000001',
      ],
    });
    // each bundle in its own team's bucket, named by its sha256
    expect(await sb.moto.listKeys('idlc-tfstate-search-200000000001')).toEqual([
      `plans/aws/search/dev/${bundles['aws/search/dev']}.tar`,
    ]);
    expect(await sb.moto.listKeys('idlc-tfstate-assistant-300000000001')).toEqual([
      `plans/aws/assistant/dev/${bundles['aws/assistant/dev']}.tar`,
    ]);
    expect(Object.values(bundles).every((b) => /^[0-9a-f]{64}$/.test(b))).toBe(true);
  });
});
