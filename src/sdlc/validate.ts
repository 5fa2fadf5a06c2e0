/**
 * `idlc manifests validate`: everything under sdlc/ rendered with the real tools and checked
 * offline — sdlc/argocd is what `idlc manifests generate` writes; every team overlay builds with
 * kustomize; the tenant chart passes helm lint and renders with each team's values; every
 * rendered object validates against its schema (schemas.ts); the Kubernetes OPA policies pass
 * on each overlay together with its tenant guardrails; platform values use only keys the
 * pinned upstream chart has (upstream-values-keys.yaml). Result: idlc.manifest-result/v1.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { Registry } from '../config/schema.ts';
import { sandboxToolCommand } from '../engine/process-sandbox.ts';
import { manifestContext } from '../policy/context.ts';
import { evaluateManifestPolicy } from '../policy/evaluate.ts';
import { type Component, loadComponents } from './components.ts';
import { generateManifests, syncGenerated, tenantValues } from './generate.ts';
import { ARGOCD_DIR, CHARTS_DIR, PLATFORM_DIR, TEAMS_DIR, teamNamespace } from './layout.ts';
import {
  type ManifestProblem,
  type ManifestResult,
  type ManifestTarget,
  summarize,
} from './manifest-result.ts';
import { objectId, validateObjects } from './schemas.ts';

type Obj = Record<string, unknown>;

export const DEFAULT_KUBERNETES_VERSION = '1.33.0';

export const OFFLINE_NOTES = [
  'Third-party charts (argo-cd, cert-manager, external-secrets, aws-load-balancer-controller, kube-prometheus-stack, karpenter, gpu-operator, keda) cannot be pulled here: their values files are checked against the key structure of the pinned version (upstream-values-keys.yaml); their rendered objects are not.',
  'Custom resources are validated with @kubernetes-models/* (types, enums, required fields); unknown fields in them are not reported — built-in kinds are checked strictly by kubeconform.',
  'Argo CD Applications, AppProjects and ApplicationSets are validated as objects; what Argo CD does with them (sync, windows, RBAC) is not run here.',
];

export interface ValidateOptions {
  /** The checkout whose manifests are validated (the PR's, in the PR pipeline). */
  root: string;
  /** Where the Kubernetes policies and waivers come from (the default branch's checkout); default root. */
  policyRoot?: string;
  registry: Registry;
  kubernetesVersion?: string;
  env?: NodeJS.ProcessEnv;
  /** Policy evaluation (default: OPA through src/policy); tests may pass their own. */
  now?: Date;
}

/**
 * kustomize and helm read what a pull request wrote: they run inside the engine's process
 * sandbox (src/engine/process-sandbox.ts) with an allow-listed env, the checkout read-only and
 * only `scratch` (values files, HOME) writable — never with the job's ID-token request token.
 */
async function exec(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  scratch: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const wrapped = await sandboxToolCommand(cmd, args, { cwd, parentEnv: env, scratch });
  if (!wrapped) return { code: 127, stdout: '', stderr: `${cmd}: not found on PATH (scripts/install-tools)` };
  return new Promise((resolve, reject) => {
    execFile(
      wrapped.cmd,
      wrapped.args,
      { cwd, env: wrapped.env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      },
    );
  });
}

function docs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => Boolean(o && typeof o === 'object' && o['kind']));
}

async function dirs(path: string): Promise<string[]> {
  return (await readdir(path, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

class Target {
  readonly t: ManifestTarget;
  constructor(id: string, kind: ManifestTarget['kind'], extra: { team?: string; env?: string } = {}) {
    this.t = { id, kind, ...extra, status: 'ok', objects: 0, problems: [] };
  }
  error(check: ManifestProblem['check'], message: string, object?: string) {
    this.t.problems.push({ check, message, severity: 'error', ...(object ? { object } : {}) });
    if (check === 'policy') {
      if (this.t.status === 'ok') this.t.status = 'denied';
    } else this.t.status = 'invalid';
  }
  warn(check: ManifestProblem['check'], message: string, object?: string) {
    this.t.problems.push({ check, message, severity: 'warning', ...(object ? { object } : {}) });
  }
}

export async function validateSdlc(o: ValidateOptions): Promise<ManifestResult> {
  const env = o.env ?? process.env;
  const k8s = o.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  const targets: Target[] = [];
  const tmp = await mkdtemp(join(tmpdir(), 'idlc-manifests-'));
  try {
    const kustomize = async (t: Target, dir: string): Promise<Obj[] | undefined> => {
      const res = await exec('kustomize', ['build', dir], env, o.root, tmp);
      if (res.code !== 0) {
        t.error('render', `kustomize build ${dir}: ${res.stderr.trim().split('\n').slice(-3).join(' ')}`);
        return undefined;
      }
      return docs(res.stdout);
    };
    const schema = async (t: Target, objects: Obj[]) => {
      t.t.objects += objects.length;
      for (const p of await validateObjects(objects, { kubernetesVersion: k8s, env }))
        t.error('schema', p.message, p.object);
    };
    const policy = async (t: Target, objects: Obj[], ctx: { team?: string; env?: string }) => {
      const result = await evaluateManifestPolicy({
        root: o.policyRoot ?? o.root,
        manifests: objects.map((object, i) => ({ object, file: `${t.t.id}#${i}`, line: 1 })),
        context: manifestContext({ registry: o.registry, ...ctx }),
        target: t.t.id,
        ...(o.now ? { now: o.now } : {}),
      });
      for (const f of result.findings) {
        if (f.status === 'deny') t.error('policy', `${f.rule}: ${f.message}`, f.resource);
        else if (f.status === 'warn') t.warn('policy', `${f.rule}: ${f.message}`, f.resource);
      }
    };

    // 1. sdlc/argocd is exactly what the generator writes
    const gen = new Target(ARGOCD_DIR, 'generated');
    targets.push(gen);
    const files = await generateManifests(o.root, o.registry);
    const sync = await syncGenerated(o.root, files, true);
    for (const s of sync.stale)
      gen.error(
        'generate',
        `${s} differs from a fresh \`idlc manifests generate\`; run it and commit the result`,
      );

    // 2. the tenant chart, once per team and env: lint + template
    const tenants = new Map<string, Obj[]>();
    const chart = join(o.root, CHARTS_DIR, 'tenant');
    for (const { name: envName, protected: isProtected } of o.registry.environments) {
      for (const [team, t] of Object.entries(o.registry.teams)) {
        if (t.kind === 'platform' || !t.envs[envName]) continue;
        const target = new Target(`${CHARTS_DIR}/tenant (${team}/${envName})`, 'tenant', {
          team,
          env: envName,
        });
        targets.push(target);
        const values = join(tmp, `tenant-${team}-${envName}.yaml`);
        await writeFile(values, stringify(tenantValues(o.registry, envName, team, t, isProtected)));
        const valueArgs = [
          '-f',
          join(o.root, PLATFORM_DIR, 'tenants', `values-${envName}.yaml`),
          '-f',
          values,
        ];
        const lint = await exec(
          'helm',
          ['lint', '--strict', '--kube-version', k8s, chart, ...valueArgs],
          env,
          o.root,
          tmp,
        );
        if (lint.code !== 0)
          target.error(
            'lint',
            `helm lint: ${
              lint.stdout
                .split('\n')
                .filter((l) => /\[(ERROR|WARNING)\]/.test(l))
                .join(' ') || lint.stderr
            }`,
          );
        const ns = teamNamespace(team, envName);
        const rendered = await exec(
          'helm',
          ['template', `tenant-${team}`, chart, '-n', ns, '--kube-version', k8s, ...valueArgs],
          env,
          o.root,
          tmp,
        );
        if (rendered.code !== 0) {
          target.error('render', `helm template: ${rendered.stderr.trim()}`);
          continue;
        }
        const objects = docs(rendered.stdout);
        tenants.set(`${team}/${envName}`, objects);
        await schema(target, objects);
        await policy(target, objects, { team, env: envName });
      }
    }

    // 3. every team overlay, with its tenant guardrails for the policies
    for (const team of await dirs(join(o.root, TEAMS_DIR))) {
      for (const envName of await dirs(join(o.root, TEAMS_DIR, team))) {
        if (envName === 'base') continue;
        for (const app of await dirs(join(o.root, TEAMS_DIR, team, envName))) {
          const id = `${TEAMS_DIR}/${team}/${envName}/${app}`;
          const target = new Target(id, 'overlay', { team, env: envName });
          targets.push(target);
          if (!o.registry.teams[team]?.envs[envName]) {
            target.error(
              'render',
              `team ${team} has no env ${envName} in idlc.yaml: nothing deploys this folder`,
            );
            continue;
          }
          const objects = await kustomize(target, id);
          if (!objects) continue;
          const wrongNs = objects.filter((x) => {
            const ns = (x['metadata'] as { namespace?: string } | undefined)?.namespace;
            return x['kind'] !== 'Namespace' && ns !== teamNamespace(team, envName);
          });
          for (const x of wrongNs)
            target.error(
              'render',
              `lands in namespace "${(x['metadata'] as { namespace?: string }).namespace ?? '(none)'}", not ${teamNamespace(team, envName)}: set namespace: ${teamNamespace(team, envName)} in the overlay`,
              objectId(x),
            );
          await schema(target, objects);
          await policy(target, [...objects, ...(tenants.get(`${team}/${envName}`) ?? [])], {
            team,
            env: envName,
          });
        }
      }
    }

    // 4. the Argo CD objects of each env
    for (const { name: envName } of o.registry.environments) {
      const target = new Target(`${ARGOCD_DIR}/${envName}`, 'argocd', { env: envName });
      targets.push(target);
      const objects = await kustomize(target, `${ARGOCD_DIR}/${envName}`);
      if (!objects) continue;
      await schema(target, objects);
      await policy(target, objects, {});
    }

    // 5. platform components: values structure, and their own manifests per env
    for (const c of await loadComponents(o.root)) {
      const target = new Target(c.dir, 'platform');
      targets.push(target);
      await checkValues(o.root, c, target);
      for (const { name: envName } of o.registry.environments) {
        const dir = c.manifests?.shared
          ? `${c.dir}/manifests`
          : c.manifests?.envs.includes(envName)
            ? `${c.dir}/manifests/${envName}`
            : undefined;
        if (!dir) continue;
        const mt = new Target(`${dir}${c.manifests?.shared ? ` (${envName})` : ''}`, 'platform', {
          env: envName,
        });
        if (c.manifests?.shared && envName !== o.registry.environments[0]?.name) continue; // env-neutral: once
        targets.push(mt);
        const objects = await kustomize(mt, dir);
        if (!objects) continue;
        await schema(mt, objects);
        await policy(mt, objects, {});
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return summarize(
    targets.map((t) => t.t),
    k8s,
    OFFLINE_NOTES,
  );
}

type KeyTree = { [k: string]: KeyTree | string };

/** Every key path of `ours` must exist in the upstream tree, except below "{}" or "..." (open). */
export function unknownValueKeys(
  ours: unknown,
  upstream: KeyTree | string,
  freeForm: string[] = [],
  path: string[] = [],
): string[] {
  if (!ours || typeof ours !== 'object' || Array.isArray(ours)) return [];
  if (freeForm.includes(path.join('.'))) return [];
  if (typeof upstream === 'string') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(ours as Obj)) {
    const next = upstream[k];
    if (next === undefined) {
      out.push([...path, k].join('.'));
      continue;
    }
    if (next === '{}' || next === '...' || next === 'value' || next === '[]') continue;
    out.push(...unknownValueKeys(v, next, freeForm, [...path, k]));
  }
  return out;
}

async function checkValues(root: string, c: Component, target: Target): Promise<void> {
  const keysFile = `${c.dir}/upstream-values-keys.yaml`;
  const upstream = await readFile(join(root, keysFile), 'utf8').then(
    (t) => parse(t) as KeyTree,
    () => undefined,
  );
  if (!upstream) {
    target.error(
      'values',
      `${keysFile} is missing: the values cannot be checked against the chart ${c.chart.name} ${c.chart.version}`,
    );
    return;
  }
  for (const f of c.valueFiles) {
    let values: unknown;
    try {
      values = parse(await readFile(join(root, c.dir, f), 'utf8'));
    } catch (err) {
      target.error('values', `${c.dir}/${f}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (values !== null && (typeof values !== 'object' || Array.isArray(values))) {
      target.error('values', `${c.dir}/${f}: not a map of values`);
      continue;
    }
    for (const k of unknownValueKeys(values, upstream, c.freeFormValues)) {
      target.error(
        'values',
        `${c.dir}/${f}: ${k} is not a value of chart ${c.chart.name} ${c.chart.version} (see ${keysFile})`,
      );
    }
  }
}
