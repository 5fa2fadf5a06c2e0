import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../config/load.ts';
import type { Registry } from '../config/schema.ts';
import type { Stack } from '../discovery/stacks.ts';
import { UsageError } from '../util/errors.ts';
import { allowedRegistries, manifestContext, planContext, stackKind, teamEnvOfPath } from './context.ts';
import { evaluateManifestPolicy, evaluatePlanPolicy, planPolicyVerdict } from './evaluate.ts';
import { loadManifests } from './manifests.ts';
import type { Waiver } from './waivers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const plan = (name: string) => readFile(join(ROOT, 'policy/terraform/testdata', name, 'plan.json'), 'utf8');
const now = new Date('2026-11-25T12:00:00Z');

let registry: Registry;
let work: string;

const stack = (over: Partial<Stack> = {}): Stack =>
  ({
    id: 'aws/search/prod',
    cloud: 'aws',
    team: 'search',
    env: 'prod',
    name: '',
    dir: 'idlc/aws/environments/search/prod',
    engine: registry.engine,
    target: {
      cloud: 'aws',
      team: 'search',
      env: 'prod',
      protected: true,
      region: 'eu-central-1',
      accountId: '200000000003',
      planRole: 'arn:aws:iam::200000000003:role/idlc-search-prod-plan',
      applyRole: 'arn:aws:iam::200000000003:role/idlc-search-prod-apply',
      githubEnvironment: 'search-prod',
      state: {
        backend: 's3',
        bucket: 'idlc-tfstate-search-200000000003',
        key: 'prod/main/terraform.tfstate',
        region: 'eu-central-1',
        encrypt: true,
        useLockfile: true,
        plansPrefix: 'plans/',
      },
    },
    ...over,
  }) as Stack;

beforeAll(async () => {
  registry = (await loadRegistry(ROOT)).registry;
  work = await mkdtemp(join(tmpdir(), 'idlc-policy-eval-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('planContext', () => {
  it('takes team, env, protection, cost center and GPU allowance from idlc.yaml', () => {
    expect(planContext(stack(), registry, ['destroy-approved', 'destroy-approved'])).toEqual({
      team: 'search',
      env: 'prod',
      protected: true,
      account_id: '200000000003',
      region: 'eu-central-1',
      cost_center: 'cc-2100',
      owner: '@acme/search',
      stack: 'aws/search/prod',
      stack_kind: 'stack',
      gpu_allowed_instance_types: ['ml.g5.*', 'g5.*'],
      approvals: ['destroy-approved'],
    });
  });
  it('marks stacks in an account-baseline folder', () => {
    expect(stackKind({ name: 'account-baseline' })).toBe('account-baseline');
    expect(stackKind({ name: 'network' })).toBe('stack');
  });
});

describe('evaluatePlanPolicy (real opa, real policies)', () => {
  it('denies a plan that deletes a stateful resource in prod, naming rule and address', async () => {
    const r = await evaluatePlanPolicy({
      root: ROOT,
      planJson: await plan('protected'),
      stack: stack(),
      registry,
      now,
    });
    expect(r.denied).toBe(true);
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        status: 'deny',
        rule: 'protected.stateful_destroy',
        resource: 'aws_s3_bucket.archive',
      }),
    );
    expect(r.warnings).toEqual([]);
    expect(planPolicyVerdict(r)).toMatchObject({ evaluated: true, denied: true });
  });

  it('lets destroy-approved and waivers through, still showing the findings', async () => {
    const waivers: Waiver[] = [
      {
        rule: 'protected.deletion_protection',
        stack: 'aws/search/*',
        resource: '*',
        reason: 'Launch week: protection is switched on in the follow-up change.',
        owner: '@acme/search',
        expires: '2026-12-01',
        file: 'policy/waivers.yaml',
        line: 2,
      },
      ...['s3.*'].map((rule) => ({
        rule,
        stack: 'aws/search/prod',
        resource: 'aws_s3_bucket.scratch',
        reason: 'Scratch bucket, encrypted by default S3 settings.',
        owner: '@acme/search',
        expires: '2026-12-01',
        file: 'policy/waivers.yaml',
        line: 9,
      })),
    ];
    const r = await evaluatePlanPolicy({
      root: ROOT,
      planJson: JSON.parse(await plan('protected')),
      stack: stack(),
      registry,
      approvals: ['destroy-approved'],
      now,
      waivers,
    });
    expect(r.findings.filter((f) => f.status === 'deny')).toEqual([]);
    expect(r.denied).toBe(false);
    expect(r.findings.filter((f) => f.status === 'waived').length).toBeGreaterThanOrEqual(5);
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        status: 'warn',
        rule: 'protected.stateful_destroy',
        resource: 'aws_s3_bucket.archive',
      }),
    );
  });

  it('an expired waiver is a deny of its own', async () => {
    const r = await evaluatePlanPolicy({
      root: ROOT,
      planJson: await plan('kms'),
      stack: stack(),
      registry,
      now,
      waivers: [
        {
          rule: 'kms.rotation',
          stack: 'aws/search/prod',
          resource: 'aws_kms_key.static',
          reason: 'Imported key material cannot rotate automatically.',
          owner: '@acme/search',
          expires: '2026-11-01',
          file: 'policy/waivers.yaml',
          line: 4,
        },
      ],
    });
    expect(r.findings.map((f) => [f.status, f.rule])).toEqual([
      ['deny', 'kms.rotation'],
      ['deny', 'waivers.expired'],
    ]);
  });

  it('the real tofu envelope passes', async () => {
    const envelope = await readFile(join(ROOT, 'policy/terraform/testdata/envelope/tofu-show.json'), 'utf8');
    const r = await evaluatePlanPolicy({
      root: ROOT,
      planJson: envelope,
      stack: stack(),
      registry,
      now,
      waivers: [],
    });
    expect(r).toEqual({ findings: [], denied: false, warnings: [] });
  });

  it('refuses input that is not `tofu show -json` output', async () => {
    await expect(
      evaluatePlanPolicy({ root: ROOT, planJson: '{"resources": []}', stack: stack(), registry }),
    ).rejects.toThrow(UsageError);
    await expect(
      evaluatePlanPolicy({ root: ROOT, planJson: 'Tfplan\u0003', stack: stack(), registry }),
    ).rejects.toThrow(/not JSON/);
  });

  it('warns, never passes silently, when the repository has no plan policies', async () => {
    const empty = join(work, 'empty-repo');
    await mkdir(join(empty, 'policy/terraform'), { recursive: true });
    const r = await evaluatePlanPolicy({
      root: empty,
      planJson: await plan('kms'),
      stack: stack(),
      registry,
      now,
    });
    expect(r.findings).toEqual([]);
    expect(r.warnings[0]).toMatch(/no policies found in policy\/terraform/);
    expect(planPolicyVerdict(r).evaluated).toBe(false);
  });
});

describe('manifests', () => {
  it('reads multi-document YAML, applies the kustomization namespace and evaluates the folder', async () => {
    const dir = join(work, 'sdlc/teams/search/prod/retriever');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'kustomization.yaml'), 'namespace: search\nresources: [deployment.yaml]\n');
    await writeFile(
      join(dir, 'deployment.yaml'),
      `apiVersion: v1
kind: Service
metadata:
  name: retriever
  labels: { team: search, cost-center: cc-2100 }
spec:
  ports: [{ port: 80 }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: retriever
  labels: { team: search, cost-center: cc-2100 }
spec:
  template:
    metadata:
      labels: { team: search, cost-center: cc-2100 }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 10001 }
      containers:
        - name: retriever
          image: nginx:latest
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 128Mi }
`,
    );
    const manifests = await loadManifests(work, join(work, 'sdlc/teams/search/prod'));
    expect(
      manifests.map((m) => [m.file, m.line, (m.object.metadata as { namespace?: string }).namespace]),
    ).toEqual([
      ['sdlc/teams/search/prod/retriever/deployment.yaml', 1, 'search'],
      ['sdlc/teams/search/prod/retriever/deployment.yaml', 9, 'search'],
    ]);
    const where = teamEnvOfPath(work, dir, registry);
    expect(where).toEqual({ team: 'search', env: 'prod' });
    const r = await evaluateManifestPolicy({
      root: ROOT,
      manifests,
      context: manifestContext({ registry, ...where }),
      target: 'sdlc/teams/search/prod',
      now,
      waivers: [],
    });
    expect(r.denied).toBe(true);
    expect(r.findings.filter((f) => f.status === 'deny').map((f) => [f.rule, f.resource])).toEqual([
      ['images.pinned', 'Deployment/search/retriever'],
      ['images.registry', 'Deployment/search/retriever'],
    ]);
    expect(r.findings.find((f) => f.rule === 'images.registry')?.message).toMatch(/docker\.io/);
  });

  it('allows the team’s and the platform’s ECR registries', () => {
    expect(allowedRegistries(registry, 'search')).toEqual([
      '100000000001.dkr.ecr.eu-west-1.amazonaws.com',
      '100000000002.dkr.ecr.eu-west-1.amazonaws.com',
      '100000000003.dkr.ecr.eu-west-1.amazonaws.com',
      '200000000001.dkr.ecr.eu-west-1.amazonaws.com',
      '200000000002.dkr.ecr.eu-west-1.amazonaws.com',
      '200000000003.dkr.ecr.eu-central-1.amazonaws.com',
    ]);
  });

  it('reports YAML errors with file and line, and non-objects', async () => {
    const dir = join(work, 'bad');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.yaml'), 'kind: Service\nmetadata: [unclosed\n');
    await expect(loadManifests(work, dir)).rejects.toThrow(/bad\/a\.yaml:\d+.*invalid YAML/);
    await writeFile(join(dir, 'a.yaml'), 'just: a map\n');
    await expect(loadManifests(work, dir)).rejects.toThrow(/bad\/a\.yaml:1: not a Kubernetes object/);
  });
});
