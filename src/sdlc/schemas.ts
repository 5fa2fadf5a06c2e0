/**
 * Offline schema validation of rendered objects. Built-in kinds: kubeconform -strict against the
 * Kubernetes JSON schemas shipped by the PyPI package kubernetes-validate (installed into the
 * tools venv by scripts/install-tools), so unknown fields are errors. Custom resources of the
 * platform's CRDs (Argo CD, Karpenter, external-secrets, prometheus-operator, cert-manager,
 * KEDA): the validators of @kubernetes-models/*, generated from those projects' types — they
 * check types, enums and required fields but, unlike kubeconform -strict, let unknown fields
 * through. A kind that neither knows is an error: nothing passes unchecked.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { ClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { toolPath, toolsDir } from '../toolchain/tools.ts';
import { UsageError } from '../util/errors.ts';

type Obj = Record<string, unknown>;
type ModelClass = new (data: never) => { validate(): void };

/** Custom resources checked in process: apiVersion/kind → model. */
export const CRD_MODELS: Record<string, ModelClass> = {
  'argoproj.io/v1alpha1/Application': Application as unknown as ModelClass,
  'argoproj.io/v1alpha1/AppProject': AppProject as unknown as ModelClass,
  'argoproj.io/v1alpha1/ApplicationSet': ApplicationSet as unknown as ModelClass,
  'karpenter.sh/v1/NodePool': NodePool as unknown as ModelClass,
  'karpenter.k8s.aws/v1/EC2NodeClass': EC2NodeClass as unknown as ModelClass,
  'external-secrets.io/v1/ExternalSecret': ExternalSecret as unknown as ModelClass,
  'external-secrets.io/v1/ClusterSecretStore': ClusterSecretStore as unknown as ModelClass,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as unknown as ModelClass,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as unknown as ModelClass,
  'cert-manager.io/v1/ClusterIssuer': ClusterIssuer as unknown as ModelClass,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject as unknown as ModelClass,
};

export interface SchemaProblem {
  object: string;
  message: string;
}

export function objectId(o: Obj): string {
  const m = (o['metadata'] ?? {}) as { name?: string; namespace?: string };
  return [o['kind'], m.namespace, m.name ?? '(unnamed)'].filter(Boolean).join('/');
}

/** Built-in API groups: "v1", "apps/v1", "*.k8s.io/…" (and the legacy groups without dots). */
export function isBuiltIn(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/');
  if (slash === -1) return true;
  const group = apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/** The folder of kubernetes-validate's schemas for a Kubernetes version (…/v1.33.0-local-strict). */
export async function kubernetesSchemaDir(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const lib = join(toolsDir(env), 'venv', 'lib');
  const pythons = await readdir(lib).catch(() => [] as string[]);
  for (const py of pythons) {
    const dir = join(
      lib,
      py,
      'site-packages',
      'kubernetes_validate',
      'kubernetes-json-schema',
      `v${version}-local-strict`,
    );
    if ((await readdir(dir).catch(() => undefined)) !== undefined) return dir;
  }
  throw new UsageError(
    `no Kubernetes ${version} JSON schemas in the tools venv (PyPI kubernetes-validate)`,
    'run scripts/install-tools (it installs kubernetes-validate into ~/.cache/idlc/tools/venv)',
  );
}

function run(
  cmd: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...env, PATH: toolPath(env) }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/**
 * kubernetes-validate's schemas refer to their definitions as "/api/_definitions.json#…", which
 * only its own resolver understands; kubeconform needs file:// URLs. A rewritten copy is kept
 * once per version in the tools cache (written to a temp folder, then renamed into place).
 */
export async function kubeconformSchemaDir(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const target = join(toolsDir(env), 'kubernetes-schemas', `v${version}-strict`);
  if (await stat(join(target, '_definitions.json')).catch(() => undefined)) return target;
  const source = await kubernetesSchemaDir(version, env);
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  const definitions = `file://${join(target, '_definitions.json')}#`;
  for (const f of await readdir(source)) {
    if (!f.endsWith('.json')) continue;
    const text = await readFile(join(source, f), 'utf8');
    await writeFile(join(tmp, f), text.replaceAll('"/api/_definitions.json#', `"${definitions}`));
  }
  try {
    await rename(tmp, target);
  } catch {
    await rm(tmp, { recursive: true, force: true }); // another process got there first
  }
  return target;
}

interface KubeconformOutput {
  resources?: {
    kind?: string;
    name?: string;
    status?: string;
    msg?: string;
    validationErrors?: { path: string; msg: string }[];
  }[];
}

/** Validate objects; returns the problems (empty: all valid). */
export async function validateObjects(
  objects: Obj[],
  opts: { kubernetesVersion: string; env?: NodeJS.ProcessEnv },
): Promise<SchemaProblem[]> {
  const env = opts.env ?? process.env;
  const problems: SchemaProblem[] = [];
  const builtIn: Obj[] = [];
  for (const o of objects) {
    const apiVersion = String(o['apiVersion'] ?? '');
    const kind = String(o['kind'] ?? '');
    if (!apiVersion || !kind) {
      problems.push({ object: objectId(o), message: 'no apiVersion or kind' });
      continue;
    }
    if (isBuiltIn(apiVersion)) {
      builtIn.push(o);
      continue;
    }
    const Model = CRD_MODELS[`${apiVersion}/${kind}`];
    if (!Model) {
      problems.push({
        object: objectId(o),
        message: `no schema for ${apiVersion} ${kind}: not a built-in kind nor a CRD idlc validates (src/sdlc/schemas.ts)`,
      });
      continue;
    }
    try {
      new Model(o as never).validate();
    } catch (err) {
      problems.push({ object: objectId(o), message: (err as Error).message.replace(/^data\//, '') });
    }
  }
  if (builtIn.length > 0) {
    const dir = await kubeconformSchemaDir(opts.kubernetesVersion, env);
    const input = builtIn.map((o) => JSON.stringify(o)).join('\n---\n');
    const res = await run(
      'kubeconform',
      [
        '-strict',
        '-output',
        'json',
        '-kubernetes-version',
        opts.kubernetesVersion,
        '-schema-location',
        `${dir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
        '-',
      ],
      input,
      env,
    );
    let parsed: KubeconformOutput;
    try {
      parsed = JSON.parse(res.stdout || '{}') as KubeconformOutput;
    } catch {
      throw new UsageError(
        `kubeconform failed: ${res.stderr || res.stdout}`.slice(0, 2000),
        'run scripts/install-tools (kubeconform)',
      );
    }
    for (const r of parsed.resources ?? []) {
      if (r.status === 'statusValid' || r.status === 'statusSkipped') continue;
      // the useful part of kubeconform's message is after the schema URL: "- at '/spec': …"
      const at = r.msg ? /- at '([^']*)': (.*)$/s.exec(r.msg) : null;
      const message = at
        ? `${at[1] || '/'}: ${at[2]}`
        : r.msg || r.validationErrors?.map((e) => `${e.path}: ${e.msg}`).join('; ') || String(r.status);
      problems.push({ object: `${r.kind}/${r.name}`, message });
    }
    if (res.code !== 0 && (parsed.resources ?? []).length === 0) {
      throw new UsageError(`kubeconform exited ${res.code}: ${res.stderr}`.slice(0, 2000));
    }
  }
  return problems;
}
