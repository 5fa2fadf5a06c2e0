import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getOctokit } from '@actions/github';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStack } from '../../src/engine/apply-stack.ts';
import { packBundle, unpackBundle } from '../../src/engine/bundle.ts';
import type { EngineError } from '../../src/engine/engine-errors.ts';
import { planStack } from '../../src/engine/plan-stack.ts';
import { sha256 } from '../../src/engine/provenance.ts';
import { type ExecFn, spawnExec } from '../../src/engine/runner.ts';
import {
  type EngineSandbox,
  SANDBOX_REGISTRY,
  stackSources,
  startEngineSandbox,
} from '../support/engine-sandbox.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';

const SEARCH = 'idlc/aws/environments/search/dev';
const ASSISTANT = 'idlc/aws/environments/assistant/dev';
const SEARCH_BUCKET = 'idlc-tfstate-search-200000000001';
const ASSISTANT_BUCKET = 'idlc-tfstate-assistant-300000000001';

let sb: EngineSandbox;
let gh: GitHubDouble;

beforeAll(async () => {
  [sb, gh] = await Promise.all([
    startEngineSandbox({ stacks: [SEARCH, ASSISTANT] }),
    startGitHubDouble({ owner: 'acme', repo: 'infra' }),
  ]);
  // A slow resource keeps the apply (and its state lock) alive long enough to observe.
  await sb.writeStack(SEARCH, stackSources({ slowSeconds: 3 }));
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

async function planPR(stackId: string, extra: Partial<Parameters<typeof planStack>[0]> = {}) {
  const pr = gh.state.addPullRequest();
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
  return { pr, headSha, res };
}

async function apply(
  stackId: string,
  mergeSha: string,
  extra: Partial<Parameters<typeof applyStack>[0]> = {},
) {
  const ctx = await sb.context(stackId, extra.exec ? { exec: extra.exec } : {});
  return await applyStack({
    ...ctx,
    mergeSha,
    runId: `apply-${mergeSha.slice(0, 6)}`,
    github: getOctokit('ghs_test', { baseUrl: gh.url }),
    repo: { owner: 'acme', repo: 'infra' },
    openSession: () => sb.session(ctx.stack, 'apply', `apply-${mergeSha.slice(0, 6)}`),
    ...extra,
  });
}

describe('plan on the PR, apply exactly that plan after merge', () => {
  it('applies the reviewed bundle; state lands at the registry key; the lock exists only during the run', async () => {
    const { pr, res } = await planPR('aws/search/dev');
    expect(res.hasChanges).toBe(true);
    expect(res.model.counts.create).toBe(3);
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
    const applying = apply('aws/search/dev', merge.sha, { expectedBundleSha256: res.bundle!.sha256 }).finally(
      () => (done = true),
    );
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
    const marker = JSON.parse(
      await sb.moto.getText(SEARCH_BUCKET, `plans/aws/search/dev/${pr.pull!.headSha}/applied.json`),
    );
    expect(marker).toMatchObject({
      status: 'applied',
      mergeSha: merge.sha,
      bundleSha256: res.bundle!.sha256,
    });
    // The other team's bucket saw nothing of this.
    expect(await sb.moto.listKeys(ASSISTANT_BUCKET)).toEqual([]);

    // Applying the same bundle again is refused before any engine command touches state.
    const rec = recorder();
    await expect(apply('aws/search/dev', merge.sha, { exec: rec.exec })).rejects.toThrow(
      /this plan bundle was already applied by run apply-/,
    );
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

  it('skips a reviewed plan without changes', async () => {
    const { pr } = await planPR('aws/search/dev');
    const result = await apply('aws/search/dev', gh.state.mergePullRequest(pr.number).sha);
    expect(result.applied).toBe(false);
  });
});

describe('tampering and bad bundles are refused before the engine applies anything', () => {
  const bundleKey = (head: string) => `plans/aws/assistant/dev/${head}/bundle.tar`;
  const put = (key: string, body: Buffer) =>
    sb.moto.s3.send(new PutObjectCommand({ Bucket: ASSISTANT_BUCKET, Key: key, Body: body }));

  it('a bundle changed in the bucket after review (hash differs from the published one)', async () => {
    const { pr, headSha, res } = await planPR('aws/assistant/dev');
    const bytes = Buffer.from(
      await sb.moto.s3
        .send(
          new (await import('@aws-sdk/client-s3')).GetObjectCommand({
            Bucket: ASSISTANT_BUCKET,
            Key: bundleKey(headSha),
          }),
        )
        .then((o) => o.Body!.transformToByteArray()),
    );
    const { parts } = unpackBundle(bytes, 'x', []);
    // A careful forgery: another plan file, with its provenance hash updated to match.
    const forged = packBundle({
      ...parts,
      planFile: Buffer.from('another plan'),
      provenance: { ...parts.provenance, plan: { ...parts.provenance.plan, sha256: sha256('another plan') } },
    });
    await put(bundleKey(headSha), forged.bytes);
    const rec = recorder();
    await expect(
      apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha, {
        expectedBundleSha256: res.bundle!.sha256,
        exec: rec.exec,
      }),
    ).rejects.toThrow(
      /bundle's sha256 is [0-9a-f]{64}, but [0-9a-f]{64} was published[\s\S]*changed after review/,
    );
    expect(rec.commands).toEqual(['version']);
  });

  it('a plan file swapped inside the bundle (no published hash to compare with)', async () => {
    const { pr, headSha } = await planPR('aws/assistant/dev');
    const raw = Buffer.from(
      await (
        await sb.moto.s3.send(
          new (
            await import('@aws-sdk/client-s3')
          ).GetObjectCommand({ Bucket: ASSISTANT_BUCKET, Key: bundleKey(headSha) }),
        )
      ).Body!.transformToByteArray(),
    );
    const { parts } = unpackBundle(raw, 'x', []);
    await put(bundleKey(headSha), packBundle({ ...parts, planFile: Buffer.from('swapped') }).bytes);
    await expect(apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha)).rejects.toThrow(
      /plan\.tfplan does not match the sha256 recorded in its provenance/,
    );
  });

  it('stack or module content at the merge commit differs from what was planned', async () => {
    const { pr } = await planPR('aws/assistant/dev');
    const moduleFile = join(sb.root, 'idlc/aws/modules/label/main.tf');
    const original = await readFile(moduleFile, 'utf8');
    await writeFile(moduleFile, `${original}\n# changed on main after the plan\n`);
    try {
      await expect(apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha)).rejects.toThrow(
        /content at the merge commit differs from what was planned: idlc\/aws\/modules\/label\/main\.tf \(changed\)/,
      );
    } finally {
      await writeFile(moduleFile, original);
    }
  });

  it('a plan that policy denied', async () => {
    const { pr } = await planPR('aws/assistant/dev', {
      evaluatePolicy: async () => ({
        evaluated: true,
        denied: true,
        violations: 1,
        summary: 'terraform_data.config: missing tag cost-center',
      }),
    });
    await expect(apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha)).rejects.toThrow(
      /policy denied this plan: terraform_data\.config: missing tag cost-center/,
    );
  });

  it('a corrupted plan file the engine cannot read', async () => {
    const { pr, headSha } = await planPR('aws/assistant/dev');
    const raw = Buffer.from(
      await (
        await sb.moto.s3.send(
          new (
            await import('@aws-sdk/client-s3')
          ).GetObjectCommand({ Bucket: ASSISTANT_BUCKET, Key: bundleKey(headSha) }),
        )
      ).Body!.transformToByteArray(),
    );
    const { parts } = unpackBundle(raw, 'x', []);
    const garbage = Buffer.from('this is not a zip archive');
    const corrupt = packBundle({
      ...parts,
      planFile: garbage,
      provenance: { ...parts.provenance, plan: { ...parts.provenance.plan, sha256: sha256(garbage) } },
    });
    await put(bundleKey(headSha), corrupt.bytes);
    const err = (await apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha, {
      expectedBundleSha256: corrupt.sha256,
    }).catch((e: unknown) => e)) as EngineError;
    expect(err.kind).toBe('corrupt-plan');
    expect(err.message).toMatch(/saved plan file cannot be read/);
    expect(await sb.moto.listKeys(ASSISTANT_BUCKET, 'dev/')).toEqual([]);
  });

  it('a merge commit that no PR produced', async () => {
    const direct = gh.state.addCommit({ message: 'pushed straight to main' });
    await expect(apply('aws/assistant/dev', direct.sha)).rejects.toThrow(
      /is not the merge commit of a pull request/,
    );
  });
});

const terraform = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
const terraformVersion =
  terraform.status === 0 ? (JSON.parse(terraform.stdout).terraform_version as string) : '';

describe('the terraform engine', () => {
  it.skipIf(!terraformVersion)('plans and applies through a bundle like tofu', async () => {
    const registry = SANDBOX_REGISTRY.replace('name: tofu', 'name: terraform').replace(
      '1.12.6',
      terraformVersion,
    );
    await writeFile(join(sb.root, 'idlc.yaml'), registry);
    try {
      const { pr, res } = await planPR('aws/assistant/dev');
      expect(res.provenance.engine).toEqual({ name: 'terraform', version: terraformVersion });
      expect(res.timings.commands.map((c) => c.command)).toEqual(['version', 'init', 'plan', 'show']);
      const result = await apply('aws/assistant/dev', gh.state.mergePullRequest(pr.number).sha);
      expect(result.applied).toBe(true);
      const state = JSON.parse(await sb.moto.getText(ASSISTANT_BUCKET, 'dev/main/terraform.tfstate'));
      expect(state.terraform_version).toBe(terraformVersion);
    } finally {
      await writeFile(join(sb.root, 'idlc.yaml'), SANDBOX_REGISTRY);
    }
  });
});
