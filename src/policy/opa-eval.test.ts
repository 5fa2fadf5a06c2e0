import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { emptinessWarnings, evalPolicy, type PolicyExec, toolExec } from './opa-eval.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TERRAFORM = join(ROOT, 'policy/terraform');
const fixture = async (name: string) =>
  JSON.parse(await readFile(join(TERRAFORM, 'testdata', name, 'plan.json'), 'utf8')) as unknown;
const context = {
  team: 'search',
  env: 'prod',
  protected: true,
  cost_center: 'cc-2100',
  gpu_allowed_instance_types: ['g5.*'],
  approvals: [],
  stack: 'aws/search/prod',
  stack_kind: 'stack',
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'idlc-opa-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('evalPolicy (real opa)', () => {
  it('returns the deny and warn sets of the real policies for a fixture plan', async () => {
    const r = await evalPolicy({
      exec: toolExec,
      policyDir: TERRAFORM,
      entrypoint: 'terraform.main',
      input: { plan: await fixture('protected'), context },
    });
    expect(r.undefinedEntrypoint).toBe(false);
    expect(r.loaded).toEqual(['bedrock', 'gpu', 'iam', 'kms', 'network', 'protected', 's3', 'tags']);
    expect(r.deny).toContainEqual(
      expect.objectContaining({ rule: 'protected.stateful_destroy', resource: 'aws_s3_bucket.archive' }),
    );
    expect(r.deny.every((f) => f.message.includes(f.resource))).toBe(true);
    expect(emptinessWarnings(r, 'policy/terraform', ['tags', 's3'])).toEqual([]);
  });

  it('never loads the test fixtures or tests as policy', async () => {
    const r = await evalPolicy({
      exec: toolExec,
      policyDir: TERRAFORM,
      entrypoint: 'terraform.main',
      input: { plan: await fixture('kms'), context },
    });
    expect(r.deny.map((f) => f.resource)).toEqual(['aws_kms_key.static']);
  });

  it('fails with OPA’s own message when the Rego does not compile', async () => {
    const dir = join(work, 'broken/terraform');
    await mkdir(join(dir, 'main'), { recursive: true });
    await writeFile(
      join(dir, 'main/main.rego'),
      'package terraform.main\n\ndeny contains x if {\n  x := \n}\n',
    );
    const err = await evalPolicy({
      exec: toolExec,
      policyDir: dir,
      entrypoint: 'terraform.main',
      input: {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/opa eval failed/);
    expect((err as Error).message).toMatch(/rego_parse_error/);
    expect((err as Error).message).toMatch(/main\.rego:\d+/);
  });

  it('says to run scripts/install-tools when opa is missing', async () => {
    const noTools: PolicyExec = (cmd, args) =>
      new Promise((resolve) =>
        execFile(cmd, args, { env: { PATH: join(work, 'empty-path') } }, (err) =>
          resolve({
            code: -1,
            stdout: '',
            stderr: String(err),
            notFound: (err as NodeJS.ErrnoException)?.code === 'ENOENT',
          }),
        ),
      );
    await expect(
      evalPolicy({ exec: noTools, policyDir: TERRAFORM, entrypoint: 'terraform.main', input: {} }),
    ).rejects.toThrow(/opa is not installed[\s\S]*scripts\/install-tools/);
  });

  it('reports an empty policy set instead of passing', async () => {
    const empty = join(work, 'empty/terraform');
    await mkdir(empty, { recursive: true });
    const r = await evalPolicy({ exec: toolExec, policyDir: empty, entrypoint: 'terraform.main', input: {} });
    expect(r).toMatchObject({ deny: [], warn: [], undefinedEntrypoint: true, regoFiles: 0 });
    expect(emptinessWarnings(r, 'policy/terraform', ['tags'])[0]).toMatch(/no policies found.*not a pass/);
  });

  it('reports an aggregator that finds no concern packages', async () => {
    const dir = join(work, 'hollow/terraform');
    await mkdir(join(dir, 'main'), { recursive: true });
    await writeFile(
      join(dir, 'main/main.rego'),
      'package terraform.main\n\ndeny := set()\n\nwarn := set()\n\nloaded := set()\n',
    );
    const r = await evalPolicy({ exec: toolExec, policyDir: dir, entrypoint: 'terraform.main', input: {} });
    expect(emptinessWarnings(r, 'policy/terraform', ['tags'])[0]).toMatch(/holds no rules/);
  });

  it('names the packages that did not load', () => {
    const r = { deny: [], warn: [], loaded: ['tags'], undefinedEntrypoint: false, regoFiles: 3 };
    expect(emptinessWarnings(r, 'policy/terraform', ['tags', 's3'])).toEqual([
      'policy packages not loaded from policy/terraform: s3',
    ]);
  });
});
