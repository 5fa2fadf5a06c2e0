import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../src/discovery/stacks.ts';
import { type ApplyStackOptions, applyStack } from '../../src/engine/apply-stack.ts';
import { packBundle, unpackBundle } from '../../src/engine/bundle.ts';
import type { EngineError } from '../../src/engine/engine-errors.ts';
import type { TrustContext } from '../../src/engine/plan-anchor.ts';
import { planStack } from '../../src/engine/plan-stack.ts';
import { sha256 } from '../../src/engine/provenance.ts';
import { type ExecFn, spawnExec } from '../../src/engine/runner.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import { evaluatePlanPolicy, planPolicyVerdict } from '../../src/policy/evaluate.ts';
import {
  type EngineSandbox,
  REPO,
  SANDBOX_REGISTRY,
  stackSources,
  startEngineSandbox,
} from '../support/engine-sandbox.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { publishPlanRun } from '../support/plan-run.ts';

/**
 * Plan on the PR, apply exactly that plan after merge — against the real tofu, moto, the local
 * OIDC issuer and the strict GitHub double. The anchor is the PR's own plan run (an attested
 * manifest in its artifacts); every attack of the trust-boundary issue that reaches apply is
 * replayed here and must be refused before the engine changes anything.
 */
const SEARCH = 'idlc/aws/environments/search/dev';
const SEARCH_PROD = 'idlc/aws/environments/search/prod';
const ASSISTANT = 'idlc/aws/environments/assistant/dev';
const SEARCH_BUCKET = 'idlc-tfstate-search-200000000001';
const PROD_BUCKET = 'idlc-tfstate-search-200000000003';
const ASSISTANT_BUCKET = 'idlc-tfstate-assistant-300000000001';
const identity = { repository: REPO, defaultBranch: 'main' };
const [owner, repoName] = REPO.split('/') as [string, string];
// carol may approve search's applies; mallory writes the PRs.
const REGISTRY = SANDBOX_REGISTRY.replace(
  'owners: ["@acme/search"]',
  'owners: ["@acme/search"]\n    approvers: ["carol"]',
);

let sb: EngineSandbox;
let gh: GitHubDouble;
let trust: TrustContext;

beforeAll(async () => {
  [sb, gh] = await Promise.all([
    startEngineSandbox({ stacks: [SEARCH, SEARCH_PROD, ASSISTANT], registry: REGISTRY }),
    startGitHubDouble({ owner, repo: repoName, strictTokens: true }),
  ]);
  // A slow resource keeps the apply (and its state lock) alive long enough to observe.
  await sb.writeStack(SEARCH, stackSources({ slowSeconds: 3 }));
  // The default branch's policies (the real policy set), evaluated by the real opa.
  await cp(join(import.meta.dirname, '..', '..', 'policy'), join(sb.root, 'policy'), { recursive: true });
  const run = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-apply.yml', event: 'push' });
  const token = gh.issueToken({
    kind: 'workflow',
    runId: run.id,
    job: 'apply',
    permissions: { contents: 'read', actions: 'read', 'pull-requests': 'read' },
  });
  trust = {
    gh: createGitHubClient({
      token,
      apiUrl: gh.url,
      graphqlUrl: gh.graphqlUrl,
      retryBaseMs: 5,
      throttle: false,
    }).rest,
    repo: { owner, repo: repoName },
    identity,
    issuer: sb.issuer.issuer,
  };
});
afterAll(async () => {
  await sb?.stop();
  await gh?.close();
});

function recorder() {
  const commands: string[] = [];
  const exec: ExecFn = async (cmd, args, opts) => {
    commands.push(args[0] ?? '');
    return await spawnExec(cmd, args, opts);
  };
  return { commands, exec };
}

/** A PR by mallory, planned by the plan job, its attested manifest uploaded in its plan run. */
async function planPR(stackId: string, extra: Partial<Parameters<typeof planStack>[0]> = {}) {
  const pr = gh.state.addPullRequest({ user: gh.state.user('mallory') });
  const headSha = pr.pull!.headSha;
  const ctx = await sb.context(stackId);
  const res = await planStack({
    ...ctx,
    headSha,
    runId: `plan-${pr.number}`,
    storeBundle: true,
    openSession: () => sb.session(ctx.stack, 'plan', `plan-${pr.number}`),
    ...extra,
  });
  const run = await publishPlanRun({
    gh,
    issuer: sb.issuer,
    identity,
    pr: pr.number,
    plans: [{ stack: ctx.stack, result: res }],
  });
  return { pr, headSha, res, run, stack: ctx.stack };
}

const policy =
  (stack: Stack): ApplyStackOptions['evaluatePolicy'] =>
  async (planJson, approvals) => {
    const loaded = await sb.loaded();
    const result = await evaluatePlanPolicy({
      root: sb.root,
      planJson,
      stack,
      registry: loaded.registry,
      approvals,
    });
    return { verdict: planPolicyVerdict(result), findings: result.findings };
  };

async function apply(stackId: string, mergeSha: string, extra: Partial<ApplyStackOptions> = {}) {
  const ctx = await sb.context(stackId, extra.exec ? { exec: extra.exec } : {});
  const runId = `apply-${mergeSha.slice(0, 6)}`;
  return await applyStack({
    ...ctx,
    mergeSha,
    runId,
    runAttempt: '1',
    trust,
    evaluatePolicy: policy(ctx.stack),
    openSession: () => sb.session(ctx.stack, 'apply', runId),
    ...extra,
  });
}

const getBytes = async (bucket: string, key: string) =>
  Buffer.from(
    await (
      await sb.moto.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body!.transformToByteArray(),
  );

describe('plan on the PR, apply exactly that plan after merge', () => {
  it('applies the reviewed bundle; state at the registry key; lock only during the run; write-once records', async () => {
    const { pr, res } = await planPR('aws/search/dev');
    expect(res.hasChanges).toBe(true);
    expect(res.model.counts.create).toBe(3);
    expect(res.bundle?.key).toBe(`plans/aws/search/dev/${res.bundle?.sha256}.tar`);
    const merge = gh.state.mergePullRequest(pr.number);

    const lockKey = 'dev/main/terraform.tfstate.tflock';
    const seen = new Set<string>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const k of await sb.moto.listKeys(SEARCH_BUCKET, 'dev/')) seen.add(k);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // Someone else's run meanwhile: a plan of the same stack must wait for the lock and then
    // say who holds it, since when, and how to unlock by hand.
    let done = false;
    const applying = apply('aws/search/dev', merge.sha).finally(() => (done = true));
    while (!seen.has(lockKey) && !done) await new Promise((r) => setTimeout(r, 50));
    const ctx = await sb.context('aws/search/dev', { lockTimeout: '1s' });
    const blocked = (await planStack({
      ...ctx,
      headSha: 'e'.repeat(40),
      runId: 'other',
      storeBundle: false,
      openSession: () => sb.session(ctx.stack, 'plan', 'other'),
    }).catch((e: unknown) => e)) as EngineError;
    const result = await applying.finally(() => (polling = false));
    await poller;

    expect(blocked.kind).toBe('locked');
    expect(blocked.message).toMatch(
      /held by: .+ \(apply\)\n {2}since: {3}\d{4}-\d\d-\d\d .+\n {2}lock id: [0-9a-f-]{36}/,
    );
    expect(blocked.fix).toMatch(/tofu force-unlock [0-9a-f-]{36}/);
    expect(result).toMatchObject({
      applied: true,
      headSha: pr.pull!.headSha,
      bundleSha256: res.bundle!.sha256,
    });
    expect(result.pullRequest.number).toBe(pr.number);
    expect(result.policy).toMatchObject({ evaluated: true, denied: false });
    expect(seen.has(lockKey)).toBe(true);
    const after = await sb.moto.listKeys(SEARCH_BUCKET);
    expect(after).not.toContain(lockKey);
    expect(after).toContain('dev/main/terraform.tfstate');
    const state = JSON.parse(await sb.moto.getText(SEARCH_BUCKET, 'dev/main/terraform.tfstate'));
    expect(state.resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`).sort()).toEqual([
      'terraform_data.config',
      'terraform_data.slow',
      'time_static.created',
    ]);
    const prefix = `plans/aws/search/dev/${res.bundle!.sha256}`;
    expect(after.filter((k) => k.startsWith(prefix)).sort()).toEqual([
      `${prefix}.claim.1.json`,
      `${prefix}.result.1.json`,
      `${prefix}.tar`,
    ]);
    expect(JSON.parse(await sb.moto.getText(SEARCH_BUCKET, `${prefix}.result.1.json`))).toMatchObject({
      status: 'applied',
      mergeSha: merge.sha,
      pullRequest: pr.number,
      bundleSha256: res.bundle!.sha256,
    });
    // The other team's bucket saw nothing of this.
    expect(await sb.moto.listKeys(ASSISTANT_BUCKET)).toEqual([]);

    // The same merge again (a later run catching up): skipped before any engine command.
    const rec = recorder();
    const again = await apply('aws/search/dev', merge.sha, { exec: rec.exec });
    expect(again.applied).toBe(false);
    expect(again.skipped).toMatch(/^already applied by run apply-[0-9a-f]{6} attempt 1/);
    expect(rec.commands).toEqual(['version']);
  });

  it('refuses a saved plan that went stale, telling the author to re-plan', async () => {
    await sb.writeStack(SEARCH, stackSources({ slowSeconds: 3, message: 'v2' }));
    const first = await planPR('aws/search/dev');
    const second = await planPR('aws/search/dev');
    expect(first.res.model.counts.update).toBe(1);
    await apply('aws/search/dev', gh.state.mergePullRequest(first.pr.number).sha);
    const err = (await apply('aws/search/dev', gh.state.mergePullRequest(second.pr.number).sha).catch(
      (e: unknown) => e,
    )) as EngineError;
    expect(err.kind).toBe('stale-plan');
    expect(err.message).toContain('Saved plan is stale');
    expect(err.fix).toMatch(/nothing was applied\. Re-run the plan/);
  });

  it('does not apply a reviewed plan without changes', async () => {
    const { pr } = await planPR('aws/search/dev');
    const result = await apply('aws/search/dev', gh.state.mergePullRequest(pr.number).sha);
    expect(result.applied).toBe(false);
    expect(result.model?.hasChanges).toBe(false);
  });

  it('two runs racing to apply one bundle: exactly one applies, the other does not', async () => {
    await sb.writeStack(ASSISTANT, stackSources({ slowSeconds: 2 }));
    try {
      const { pr, res } = await planPR('aws/assistant/dev');
      const merge = gh.state.mergePullRequest(pr.number);
      const outcomes = await Promise.allSettled([
        apply('aws/assistant/dev', merge.sha, { runId: 'race-a' }),
        apply('aws/assistant/dev', merge.sha, { runId: 'race-b' }),
      ]);
      const applied = outcomes.filter((o) => o.status === 'fulfilled' && o.value.applied);
      expect(applied).toHaveLength(1);
      const other = outcomes.find((o) => !(o.status === 'fulfilled' && o.value.applied));
      // refused while the winner applies (it claimed first), or skipped once it recorded the result
      expect(
        other?.status === 'rejected'
          ? String(other.reason)
          : (other as PromiseFulfilledResult<{ skipped?: string }>).value.skipped,
      ).toMatch(/run race-[ab] attempt 1 .*(claimed this plan|)|already applied by run race-[ab]/);
      const keys = await sb.moto.listKeys(ASSISTANT_BUCKET, `plans/aws/assistant/dev/${res.bundle!.sha256}.`);
      expect(keys.filter((k) => k.includes('.claim.'))).toHaveLength(1);
      // the slow resource exists once: the engine ran once
      const state = JSON.parse(await sb.moto.getText(ASSISTANT_BUCKET, 'dev/main/terraform.tfstate'));
      expect(state.resources.filter((r: { name: string }) => r.name === 'slow')).toHaveLength(1);
    } finally {
      await sb.writeStack(ASSISTANT, stackSources());
    }
  });
});

describe('approval of the final head by an owner who is not the author (protected env)', () => {
  it('refuses without approval, with a self-approval and with a stale approval; applies once an owner approved the final head', async () => {
    const { pr, res } = await planPR('aws/search/prod');
    const merge = gh.state.mergePullRequest(pr.number);
    const rec = recorder();
    await expect(apply('aws/search/prod', merge.sha, { exec: rec.exec })).rejects.toThrow(
      /PR #\d+ has no approval of its final head [0-9a-f]{12} by an owner who is not the author/,
    );
    gh.state.addReview(pr.number, { user: 'mallory', commitId: pr.pull!.headSha });
    gh.state.addReview(pr.number, { user: 'carol', commitId: 'f'.repeat(40) });
    await expect(apply('aws/search/prod', merge.sha, { exec: rec.exec })).rejects.toThrow(
      /\(mallory is the author; carol approved ffffffffffff, not the final head \(stale\)\)/,
    );
    expect(rec.commands).toEqual(['version', 'version']);
    expect(await sb.moto.listKeys(PROD_BUCKET, 'prod/')).toEqual([]);
    gh.state.addReview(pr.number, { user: 'carol', commitId: pr.pull!.headSha });
    const result = await apply('aws/search/prod', merge.sha);
    expect(result).toMatchObject({ applied: true, approvedBy: ['carol'], bundleSha256: res.bundle!.sha256 });
  });
});

describe('attacks on the reviewed plan are refused before the engine applies anything', () => {
  it('a bundle overwritten in the bucket after review (the anchor names other bytes)', async () => {
    const { pr, res } = await planPR('aws/assistant/dev');
    const bytes = await getBytes(ASSISTANT_BUCKET, res.bundle!.key);
    const { parts } = unpackBundle(bytes, 'x', []);
    // A careful forgery with a consistent provenance, written over the reviewed key (as if the
    // bucket policy that makes plans write-once were missing).
    const forged = packBundle({
      ...parts,
      planFile: Buffer.from('another plan'),
      provenance: { ...parts.provenance, plan: { ...parts.provenance.plan, sha256: sha256('another plan') } },
    });
    await sb.moto.s3.send(
      new PutObjectCommand({ Bucket: ASSISTANT_BUCKET, Key: res.bundle!.key, Body: forged.bytes }),
    );
    const rec = recorder();
    await expect(
      apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha, { exec: rec.exec }),
    ).rejects.toThrow(
      /the plan bundle's sha256 is [0-9a-f]{64}, but [0-9a-f]{64} was published[\s\S]*changed after review/,
    );
    expect(rec.commands).toEqual(['version']);
  });

  it('a forged idlc/plan check run naming another bundle changes nothing: the attested manifest decides', async () => {
    const { pr, res } = await planPR('aws/assistant/dev');
    const attacker = gh.state.addPullRequest({ user: gh.state.user('eve') });
    const evil = await planPR('aws/assistant/dev');
    // eve's workflow posts a newer check on the victim's head (any workflow token with checks: write can)
    const run = gh.state.addWorkflowRun({
      path: '.github/workflows/evil.yml',
      event: 'pull_request',
      pullRequest: attacker.number,
    });
    const token = gh.issueToken({
      kind: 'workflow',
      runId: run.id,
      job: 'forge',
      permissions: { checks: 'write' },
    });
    const forged = await fetch(`${gh.url}/repos/${REPO}/check-runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'idlc/plan: aws/assistant/dev',
        head_sha: pr.pull!.headSha,
        external_id: `idlc-bundle:${evil.res.bundle!.sha256}`,
        conclusion: 'success',
      }),
    });
    expect(forged.status).toBe(201);
    const result = await apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha);
    expect(result.bundleSha256).toBe(res.bundle!.sha256);
  });

  it('a manifest whose bundle was planned from other configuration than the merge commit (a subverted plan job)', async () => {
    // the plan is made from configuration that never reaches the default branch …
    await sb.writeStack(ASSISTANT, stackSources({ message: 'what nobody reviewed' }));
    const { pr, res, stack } = await planPR('aws/assistant/dev');
    await sb.writeStack(ASSISTANT, stackSources());
    // … and its provenance claims the merge commit's content, so only the plan file itself tells.
    const bytes = await getBytes(ASSISTANT_BUCKET, res.bundle!.key);
    const { parts } = unpackBundle(bytes, 'x', []);
    const ctx = await sb.context('aws/assistant/dev');
    const { stackContent } = await import('../../src/engine/provenance.ts');
    const content = await stackContent(ctx.root, stack.dir);
    const pr2 = gh.state.addPullRequest({ user: gh.state.user('mallory') });
    const forged = packBundle({
      ...parts,
      provenance: { ...parts.provenance, content, headSha: pr2.pull!.headSha },
    });
    const ref = await (await import('../../src/engine/bundle-store.ts'))
      .bundleStoreFor(
        stack.target.state,
        {
          aws: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        },
        sb.sandbox,
      )
      .then((s) => s.put(stack.id, forged.bytes, forged.sha256).finally(() => s.destroy()));
    await publishPlanRun({
      gh,
      issuer: sb.issuer,
      identity,
      pr: pr2.number,
      plans: [{ stack, result: { ...res, bundle: { ...ref, bytes: forged.bytes.length } } }],
    });
    expect(pr.number).toBeLessThan(pr2.number);
    const rec = recorder();
    await expect(
      apply('aws/assistant/dev', gh.state.mergePullRequest(pr2.number).sha, { exec: rec.exec }),
    ).rejects.toThrow(
      /the saved plan was made from other configuration than the merge commit:\n {2}- idlc\/aws\/environments\/assistant\/dev\/main\.tf \(changed; module \(root\)\)/,
    );
    expect(rec.commands).toEqual(['version']);
  });

  it('policy changed on the default branch between plan and apply: the new policy decides', async () => {
    // a change to terraform_data.config, planned while no policy minded it
    await sb.writeStack(ASSISTANT, stackSources({ message: 'frozen soon' }));
    const { pr } = await planPR('aws/assistant/dev', { evaluatePolicy: undefined });
    const main = join(sb.root, 'policy/terraform/main/main.rego');
    const before = await readFile(main, 'utf8');
    await writeFile(
      join(sb.root, 'policy/terraform/frozen.rego'),
      `package terraform.frozen

import data.terraform.lib

deny contains lib.finding("frozen.config", rc.address, "terraform_data.config is frozen") if {
	some rc in lib.changing
	rc.type == "terraform_data"
}
`,
    );
    await writeFile(
      main,
      before.replace(
        'import data.terraform.bedrock',
        'import data.terraform.bedrock\nimport data.terraform.frozen',
      ) + '\nby_concern["frozen"] := frozen\n',
    );
    try {
      const rec = recorder();
      await expect(
        apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha, { exec: rec.exec }),
      ).rejects.toThrow(
        /the default branch's policies deny this plan now:\n {2}- frozen\.config on terraform_data\.config: terraform_data\.config is frozen/,
      );
      expect(rec.commands).toEqual(['version', 'init', 'show']);
    } finally {
      await writeFile(main, before);
      await (await import('node:fs/promises')).rm(join(sb.root, 'policy/terraform/frozen.rego'));
      await sb.writeStack(ASSISTANT, stackSources());
    }
  });

  it('the Actions API failing: refused, naming the permission, before any credentials are used', async () => {
    const { pr } = await planPR('aws/assistant/dev');
    gh.injectFault({
      route: 'actions/list-workflow-run-artifacts',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const rec = recorder();
    await expect(
      apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha, { exec: rec.exec }),
    ).rejects.toThrow(/cannot list the artifacts of workflow run \d+ \(HTTP 403\)[\s\S]*actions: read/);
    expect(rec.commands).toEqual(['version']);
  });

  it('a merge commit that no PR produced', async () => {
    const direct = gh.state.addCommit({ message: 'pushed straight to main' });
    await expect(apply('aws/assistant/dev', direct.sha)).rejects.toThrow(
      /is not the merge commit of a pull request/,
    );
  });
});
