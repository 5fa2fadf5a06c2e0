import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadRegistry } from '../../src/config/load.ts';
import type { Registry } from '../../src/config/schema.ts';
import { manifestContext } from '../../src/policy/context.ts';
import { evaluateManifestPolicy } from '../../src/policy/evaluate.ts';
import { generateManifests, syncGenerated } from '../../src/sdlc/generate.ts';
import type { ManifestResult } from '../../src/sdlc/manifest-result.ts';
import { newAppFiles } from '../../src/sdlc/new-app.ts';
import { validateObjects } from '../../src/sdlc/schemas.ts';
import { unknownValueKeys, validateSdlc } from '../../src/sdlc/validate.ts';
import { toolPath } from '../../src/toolchain/tools.ts';

const root = join(import.meta.dirname, '..', '..');
const env = { ...process.env, PATH: toolPath() };
const K8S = '1.33.0';

type Obj = Record<string, unknown>;
const build = (dir: string): Obj[] =>
  parseAllDocuments(execFileSync('kustomize', ['build', join(root, dir)], { env, encoding: 'utf8' })).map(
    (d) => d.toJS() as Obj,
  );
const yamlAt = (rel: string) => parse(readFileSync(join(root, rel), 'utf8'));

let registry: Registry;
let result: ManifestResult;

beforeAll(async () => {
  registry = (await loadRegistry(root)).registry;
  result = await validateSdlc({ root, registry, kubernetesVersion: K8S });
}, 600_000);

describe('sdlc/argocd is generated from the registry, never written by hand', () => {
  it('regenerating gives the same bytes as what is checked in', async () => {
    const files = await generateManifests(root, registry);
    expect(files.size).toBeGreaterThanOrEqual(3 * 13);
    const check = await syncGenerated(root, files, true);
    expect(check.stale).toEqual([]);
  });

  it('a team AppProject: this repo only, <team>-* namespaces, no cluster kinds, guardrail kinds denied, team groups', () => {
    const p = yamlAt('sdlc/argocd/prod/projects/search.yaml');
    expect(p.spec.sourceRepos).toEqual(['https://github.com/acme/platform.git']);
    expect(p.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'search-*' },
    ]);
    expect(p.spec.clusterResourceWhitelist).toEqual([]);
    expect(p.spec.namespaceResourceBlacklist).toEqual(
      expect.arrayContaining([
        { group: '', kind: 'ResourceQuota' },
        { group: '', kind: 'LimitRange' },
        { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
        { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
      ]),
    );
    expect(p.spec.roles).toEqual([
      {
        name: 'team',
        description: "@acme/search: see the team's apps",
        policies: [
          'p, proj:search:team, applications, get, search/*, allow',
          'p, proj:search:team, logs, get, search/*, allow',
        ],
        groups: ['acme:search'],
      },
    ]);
    // prod syncs in the registry's window; dev has none and lets the team sync
    expect(p.spec.syncWindows).toEqual([
      {
        kind: 'allow',
        schedule: '0 8 * * 1-5',
        duration: '10h',
        applications: ['*'],
        manualSync: true,
        timeZone: 'Europe/Berlin',
      },
    ]);
    const dev = yamlAt('sdlc/argocd/dev/projects/search.yaml');
    expect(dev.spec.syncWindows).toBeUndefined();
    expect(dev.spec.roles[0].policies).toContain('p, proj:search:team, applications, sync, search/*, allow');
  });

  it('ApplicationSets: the project is written by the platform, never templated from team files', () => {
    for (const envName of ['dev', 'staging', 'prod']) {
      for (const team of ['search', 'assistant']) {
        const a = yamlAt(`sdlc/argocd/${envName}/appsets/${team}.yaml`);
        expect(a.spec.template.spec.project).toBe(team);
        expect(a.spec.template.spec.destination).toEqual({
          server: 'https://kubernetes.default.svc',
          namespace: `${team}-${envName}`,
        });
        expect(a.spec.generators).toEqual([
          {
            git: {
              repoURL: 'https://github.com/acme/platform.git',
              revision: 'main',
              directories: [{ path: `sdlc/teams/${team}/${envName}/*` }],
            },
          },
        ]);
      }
    }
  });

  it('platform components are multi-source Applications with pinned charts and values-<env>.yaml', () => {
    const a = yamlAt('sdlc/argocd/prod/platform/karpenter.yaml');
    expect(a.spec.sources).toEqual([
      {
        repoURL: 'public.ecr.aws/karpenter',
        chart: 'karpenter',
        targetRevision: '1.14.1',
        helm: {
          releaseName: 'karpenter',
          valueFiles: [
            '$values/sdlc/platform/karpenter/values-prod.yaml',
            '$values/sdlc/platform/karpenter/values.yaml',
          ],
        },
      },
      { repoURL: 'https://github.com/acme/platform.git', targetRevision: 'main', ref: 'values' },
      {
        repoURL: 'https://github.com/acme/platform.git',
        targetRevision: 'main',
        path: 'sdlc/platform/karpenter/manifests/prod',
      },
    ]);
    const pins = Object.fromEntries(
      [
        'argo-cd',
        'aws-load-balancer-controller',
        'cert-manager',
        'external-secrets',
        'gpu-operator',
        'karpenter',
        'keda',
        'kube-prometheus-stack',
      ].map((c) => [c, yamlAt(`sdlc/platform/${c}/component.yaml`).chart.version]),
    );
    expect(pins).toEqual({
      'argo-cd': '10.1.1',
      'aws-load-balancer-controller': '3.5.0',
      'cert-manager': 'v1.21.1',
      'external-secrets': '2.9.0',
      'gpu-operator': 'v26.7.0',
      karpenter: '1.14.1',
      keda: '2.20.2',
      'kube-prometheus-stack': '88.5.3',
    });
  });
});

describe('tenant guardrails: the first-party chart with each team’s registry values', () => {
  const render = (team: string, envName: string) =>
    parseAllDocuments(
      execFileSync(
        'helm',
        [
          'template',
          `tenant-${team}`,
          join(root, 'sdlc/platform/charts/tenant'),
          '-n',
          `${team}-${envName}`,
          '--kube-version',
          K8S,
          '-f',
          join(root, `sdlc/platform/tenants/values-${envName}.yaml`),
          '-f',
          writeValues(
            yamlAt(`sdlc/argocd/${envName}/tenants/${team}.yaml`).spec.sources[0].helm.valuesObject,
          ),
        ],
        { env, encoding: 'utf8' },
      ),
    ).map((d) => d.toJS() as Obj);
  const tmp = mkdtempSync(join(tmpdir(), 'idlc-tenant-'));
  let n = 0;
  const writeValues = (v: unknown) => {
    const f = join(tmp, `v${n++}.json`);
    writeFileSync(f, JSON.stringify(v));
    return f;
  };
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('GPU quota from the registry, view in prod, no GPU default, default deny with the openings', () => {
    const prod = render('assistant', 'prod');
    const quota = prod.find((o) => o['kind'] === 'ResourceQuota') as {
      spec: { hard: Record<string, string> };
    };
    expect(quota.spec.hard['requests.nvidia.com/gpu']).toBe('4');
    const binding = prod.find((o) => o['kind'] === 'RoleBinding') as {
      roleRef: { name: string };
      subjects: unknown[];
    };
    expect(binding.roleRef.name).toBe('view');
    expect(binding.subjects).toEqual([
      { kind: 'Group', name: 'idlc:team:assistant', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
    const limits = prod.find((o) => o['kind'] === 'LimitRange') as {
      spec: { limits: Record<string, Record<string, string>>[] };
    };
    expect(JSON.stringify(limits.spec)).not.toContain('nvidia.com/gpu');
    const ns = prod.find((o) => o['kind'] === 'Namespace') as {
      metadata: { name: string; labels: Record<string, string> };
    };
    expect(ns.metadata.name).toBe('assistant-prod');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const policies = prod
      .filter((o) => o['kind'] === 'NetworkPolicy')
      .map((o) => (o['metadata'] as { name: string }).name);
    expect(policies.sort()).toEqual([
      'allow-dns',
      'allow-https-egress',
      'allow-ingress-controller',
      'allow-monitoring',
      'allow-same-namespace',
      'default-deny',
    ]);
    const dev = render('search', 'dev');
    expect((dev.find((o) => o['kind'] === 'RoleBinding') as { roleRef: { name: string } }).roleRef.name).toBe(
      'edit',
    );
  });
});

describe('every rendered manifest of the example teams and the platform validates offline and passes the policies', () => {
  it('no invalid or denied target', () => {
    const bad = result.targets
      .filter((t) => t.status !== 'ok')
      .map((t) => ({ id: t.id, problems: t.problems.filter((p) => p.severity === 'error') }));
    expect(bad).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('covers every overlay, each tenant, each Argo CD env and the platform manifests', () => {
    const ids = result.targets.map((t) => t.id);
    for (const app of [
      'search/dev/api',
      'search/prod/rag',
      'search/staging/embed',
      'search/dev/reranker',
      'assistant/prod/chat',
      'assistant/dev/llm',
    ]) {
      expect(ids).toContain(`sdlc/teams/${app}`);
    }
    expect(ids).toEqual(
      expect.arrayContaining([
        'sdlc/argocd/dev',
        'sdlc/argocd/prod',
        'sdlc/platform/charts/tenant (assistant/prod)',
        'sdlc/platform/karpenter/manifests/prod',
      ]),
    );
    expect(result.summary.objects).toBeGreaterThan(200);
    expect(result.schema).toBe('idlc.manifest-result/v1');
  });

  it('the vLLM server asks for a GPU, tolerates the GPU taint, and is ready on /health', () => {
    const objects = build('sdlc/teams/assistant/prod/llm');
    const d = objects.find((o) => o['kind'] === 'Deployment') as {
      spec: {
        template: {
          spec: {
            tolerations: unknown[];
            containers: {
              resources: { limits: Record<string, string> };
              readinessProbe: { httpGet: { path: string } };
              image: string;
            }[];
          };
        };
      };
    };
    const c = d.spec.template.spec.containers[0];
    expect(c?.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(d.spec.template.spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(c?.readinessProbe.httpGet.path).toBe('/health');
    expect(c?.image).toBe('300000000003.dkr.ecr.eu-west-1.amazonaws.com/assistant/llm:0.1.0');
    expect(objects.map((o) => o['kind']).sort()).toEqual([
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'ScaledObject',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
  });
});

describe('the checks do catch bad manifests (each broken on purpose)', () => {
  it('kubeconform -strict refuses an unknown field; a CRD validator refuses a wrong type; unknown kinds are errors', async () => {
    const [deployment] = build('sdlc/teams/search/dev/api').filter(
      (x) => x['kind'] === 'Deployment',
    ) as Obj[];
    const broken = structuredClone(deployment) as { spec: Record<string, unknown> };
    broken.spec['replica'] = 2; // typo of replicas
    const project = yamlAt('sdlc/argocd/dev/projects/search.yaml');
    project.spec.destinations = 'search-*';
    const problems = await validateObjects(
      [
        broken as unknown as Obj,
        project,
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      ],
      { kubernetesVersion: K8S },
    );
    expect(problems.map((p) => p.object)).toEqual(['AppProject/argocd/search', 'Widget/w', 'Deployment/api']);
    expect(problems[0]?.message).toMatch(/spec\/destinations must be array/);
    expect(problems[1]?.message).toMatch(/no schema for example.com\/v1 Widget/);
    expect(problems[2]?.message).toBe("/spec: additional properties 'replica' not allowed");
    expect(await validateObjects([deployment as Obj], { kubernetesVersion: K8S })).toEqual([]);
  });

  it('the policies catch a bad overlay (a :latest image outside the team registry, no requests)', async () => {
    const [deployment] = build('sdlc/teams/search/dev/api').filter((x) => x['kind'] === 'Deployment') as {
      spec: { template: { spec: { containers: { image: string; resources: unknown }[] } } };
    }[];
    const c = deployment?.spec.template.spec.containers[0];
    if (!c) throw new Error('no container rendered');
    c.image = 'docker.io/library/nginx:latest';
    c.resources = {};
    const res = await evaluateManifestPolicy({
      root,
      manifests: [{ object: deployment as unknown as Obj, file: 'bad.yaml', line: 1 }],
      context: manifestContext({ registry, team: 'search', env: 'dev' }),
      target: 'sdlc/teams/search/dev/api',
    });
    const rules = new Set(res.findings.filter((f) => f.status === 'deny').map((f) => f.rule));
    expect([...rules]).toEqual(
      expect.arrayContaining(['images.registry', 'images.pinned', 'resources.requests']),
    );
  });

  it('a platform value the pinned chart does not have is reported (typo, or a key of another version)', () => {
    const upstream = parse(
      readFileSync(join(root, 'sdlc/platform/karpenter/upstream-values-keys.yaml'), 'utf8'),
    );
    expect(
      unknownValueKeys(
        { settings: { clusterName: 'x', clustername: 'y' }, replica: 2, controller: { resources: {} } },
        upstream,
      ),
    ).toEqual(['settings.clustername', 'replica']);
  });
});

describe('idlc new-app: a team app from a template, every env pinned', () => {
  it('writes the base and one overlay + infra-outputs.env per env of the team, which build and validate', async () => {
    const files = newAppFiles(registry, 'search', 'qa-bot', 'rag-api');
    expect(Object.keys(files).sort()).toEqual([
      'sdlc/teams/search/base/qa-bot/kustomization.yaml',
      'sdlc/teams/search/dev/qa-bot/infra-outputs.env',
      'sdlc/teams/search/dev/qa-bot/kustomization.yaml',
      'sdlc/teams/search/prod/qa-bot/infra-outputs.env',
      'sdlc/teams/search/prod/qa-bot/kustomization.yaml',
      'sdlc/teams/search/staging/qa-bot/infra-outputs.env',
      'sdlc/teams/search/staging/qa-bot/kustomization.yaml',
    ]);
    expect(files['sdlc/teams/search/prod/qa-bot/kustomization.yaml']).toContain(
      'images:\n  - name: qa-bot\n    newName: 200000000003.dkr.ecr.eu-central-1.amazonaws.com/search/qa-bot\n    newTag: "0.1.0"\n',
    );
    const copy = mkdtempSync(join(tmpdir(), 'idlc-new-app-'));
    try {
      cpSync(join(root, 'sdlc'), join(copy, 'sdlc'), { recursive: true });
      for (const [rel, text] of Object.entries(files)) {
        execFileSync('mkdir', ['-p', join(copy, rel, '..')]);
        writeFileSync(join(copy, rel), text);
      }
      const out = parseAllDocuments(
        execFileSync('kustomize', ['build', join(copy, 'sdlc/teams/search/prod/qa-bot')], {
          env,
          encoding: 'utf8',
        }),
      ).map((d) => d.toJS() as Obj);
      const secret = out.find((o) => o['kind'] === 'ExternalSecret') as {
        spec: { dataFrom: { extract: { key: string } }[] };
      };
      expect(secret.spec.dataFrom[0]?.extract.key).toBe('idlc/search/qa-bot');
      expect(await validateObjects(out, { kubernetesVersion: K8S })).toEqual([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    expect(() => newAppFiles(registry, 'search', 'xy', 'nginx')).toThrow('unknown template "nginx"');
  });
});
