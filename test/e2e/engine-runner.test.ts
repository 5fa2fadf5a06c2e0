import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineError } from '../../src/engine/engine-errors.ts';
import { planStack } from '../../src/engine/plan-stack.ts';
import { prepareStackRun } from '../../src/engine/stack-run.ts';
import { type EngineSandbox, SANDBOX_REGISTRY, startEngineSandbox } from '../support/engine-sandbox.ts';

const STACKS = [
  'idlc/aws/environments/search/dev',
  'idlc/aws/environments/search/prod',
  'idlc/aws/environments/assistant/dev',
];
let sb: EngineSandbox;

beforeAll(async () => {
  sb = await startEngineSandbox({ stacks: STACKS });
  await sb.writeStack('idlc/aws/environments/assistant/dev/batch', {
    'main.tf': `terraform {
  required_providers {
    time = { source = "hashicorp/time", version = "0.14.2" }
  }
  backend "s3" {}
}

resource "time_static" "batch" {}
`,
  });
});
afterAll(async () => {
  await sb?.stop();
});

async function withRegistry<T>(yaml: string, fn: () => Promise<T>): Promise<T> {
  await writeFile(join(sb.root, 'idlc.yaml'), yaml);
  try {
    return await fn();
  } finally {
    await writeFile(join(sb.root, 'idlc.yaml'), SANDBOX_REGISTRY);
  }
}

describe('engine runner against real tofu', () => {
  it('four parallel inits share one cold provider cache', async () => {
    const ids = ['aws/search/dev', 'aws/search/prod', 'aws/assistant/dev', 'aws/assistant/dev/batch'];
    const waits: string[] = [];
    const runs = await Promise.all(
      ids.map(async (id) => {
        const ctx = await sb.context(id, {
          log: (l) => l.startsWith('waiting for the provider cache') && waits.push(id),
        });
        const prepared = await prepareStackRun(ctx);
        try {
          const runner = prepared.runner(await sb.session(ctx.stack, 'plan'));
          const started = Date.now();
          await runner.init(prepared.backendArgs);
          return { id, started, ended: Date.now() };
        } finally {
          await prepared.cleanup();
        }
      }),
    );
    expect(runs.map((r) => r.id)).toEqual(ids);
    // The provider was installed into the shared cache once, and the inits took turns.
    const cached = await readdir(join(sb.pluginCacheDir, 'registry.opentofu.org/hashicorp/time'));
    expect(cached).toEqual(['0.14.2']);
    expect(waits.length).toBeGreaterThan(0);
    expect((await readdir(sb.pluginCacheDir)).filter((f) => f.startsWith('.idlc'))).toEqual([]);
  });

  it('refuses an engine version other than the registry pin', async () => {
    await withRegistry(SANDBOX_REGISTRY.replace('version: 1.12.6', 'version: 1.12.5'), async () => {
      const ctx = await sb.context('aws/search/dev');
      const err = (await planStack({
        ...ctx,
        headSha: 'f'.repeat(40),
        runId: '1',
        storeBundle: true,
        openSession: () => sb.session(ctx.stack, 'plan'),
      }).catch((e: unknown) => e)) as EngineError;
      expect(err.kind).toBe('version');
      expect(err.message).toContain('tofu 1.12.6 is installed but idlc.yaml pins tofu 1.12.5');
    });
  });

  it('says so when the engine is not installed', async () => {
    await withRegistry(
      SANDBOX_REGISTRY.replace('name: tofu', 'name: terraform').replace('1.12.6', '1.9.8'),
      async () => {
        // Only the system folders on PATH (plus the idlc tools cache, which holds no terraform).
        const ctx = await sb.context('aws/search/dev', { env: { ...sb.env, PATH: '/usr/bin:/bin' } });
        const err = (await planStack({
          ...ctx,
          headSha: 'f'.repeat(40),
          runId: '1',
          storeBundle: true,
          openSession: () => sb.session(ctx.stack, 'plan'),
        }).catch((e: unknown) => e)) as EngineError;
        expect(err.kind).toBe('missing');
        expect(err.message).toContain('the engine "terraform" is not installed');
        expect(err.fix).toContain('install terraform 1.9.8');
      },
    );
  });

  it('refuses, before init, a stack that sets its own backend location', async () => {
    const dir = 'idlc/aws/environments/search/prod';
    await sb.writeStack(dir, {
      'backend.tf': 'terraform {\n  backend "s3" {\n    bucket = "someone-elses-bucket"\n  }\n}\n',
    });
    const { rm } = await import('node:fs/promises');
    try {
      const ctx = await sb.context('aws/search/prod');
      await expect(
        planStack({
          ...ctx,
          headSha: 'f'.repeat(40),
          runId: '1',
          storeBundle: true,
          openSession: () => sb.session(ctx.stack, 'plan'),
        }),
      ).rejects.toThrow(/sets its own backend bucket; state location comes from idlc\.yaml/);
    } finally {
      await rm(join(sb.root, dir, 'backend.tf'));
    }
  });

  it('shows a plan error from the engine with its message', async () => {
    const dir = 'idlc/aws/environments/search/prod';
    await sb.writeStack(dir, { 'broken.tf': 'resource "terraform_data" "x" {\n  input = var.missing\n}\n' });
    const { rm } = await import('node:fs/promises');
    try {
      const ctx = await sb.context('aws/search/prod');
      const err = (await planStack({
        ...ctx,
        headSha: 'f'.repeat(40),
        runId: '1',
        storeBundle: true,
        openSession: () => sb.session(ctx.stack, 'plan'),
      }).catch((e: unknown) => e)) as EngineError;
      expect(err.kind).toBe('plan');
      expect(err.message).toMatch(
        /tofu plan failed \(exit 1\):\nError: Reference to undeclared input variable/,
      );
    } finally {
      await rm(join(sb.root, dir, 'broken.tf'));
    }
  });
});
