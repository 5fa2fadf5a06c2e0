/**
 * Platform components: sdlc/platform/<component>/component.yaml (pinned chart, namespace,
 * sync wave) beside values.yaml + values-<env>.yaml, and optionally manifests/ (or
 * manifests/<env>/) deployed with the chart. Declared once here (zod) and read by the
 * generator and the validator.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { IdlcError } from '../util/errors.ts';
import { CHARTS_DIR, PLATFORM_DIR } from './layout.ts';

export const ComponentSchema = z.strictObject({
  chart: z.strictObject({
    repoURL: z
      .string()
      .min(1)
      .describe('Helm repository (https://…) or OCI registry host/path without oci://.'),
    name: z.string().min(1),
    version: z
      .string()
      .regex(/^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/, 'pin an exact chart version such as 1.19.1 (no ranges)'),
  }),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  syncWave: z.number().int().default(0),
  freeFormValues: z
    .array(z.string())
    .default([])
    .describe(
      'Value paths whose keys the chart passes through as they are (ConfigMap data such as configs.cm): not checked against upstream-values-keys.yaml.',
    ),
});

export type ComponentSpec = z.infer<typeof ComponentSchema>;

export interface Component extends ComponentSpec {
  name: string;
  dir: string;
  /** values files that exist: values.yaml, values-<env>.yaml */
  valueFiles: string[];
  /** manifests/ (env-neutral) or manifests/<env>/ per env; undefined when absent */
  manifests?: { shared: boolean; envs: string[] };
}

const NOT_COMPONENTS = new Set([CHARTS_DIR.split('/').pop(), 'tenants']);

async function exists(p: string): Promise<boolean> {
  return readdir(p).then(
    () => true,
    () => false,
  );
}

export async function loadComponents(root: string): Promise<Component[]> {
  const dir = join(root, PLATFORM_DIR);
  const out: Component[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!e.isDirectory() || NOT_COMPONENTS.has(e.name)) continue;
    const rel = `${PLATFORM_DIR}/${e.name}`;
    const file = `${rel}/component.yaml`;
    const text = await readFile(join(root, file), 'utf8').catch(() => undefined);
    if (text === undefined) {
      throw new IdlcError({
        file,
        message: 'missing',
        fix: 'every folder of sdlc/platform (but charts/ and tenants/) is a component with a component.yaml',
      });
    }
    const parsed = ComponentSchema.safeParse(parse(text));
    if (!parsed.success) {
      throw new IdlcError(
        parsed.error.issues.map((i) => ({ file, field: i.path.join('.'), message: i.message })),
      );
    }
    const files = await readdir(join(root, rel));
    const valueFiles = files.filter((f) => /^values(-[a-z0-9-]+)?\.yaml$/.test(f)).sort();
    let manifests: Component['manifests'];
    if (await exists(join(root, rel, 'manifests'))) {
      const sub = await readdir(join(root, rel, 'manifests'), { withFileTypes: true });
      const shared = sub.some((s) => s.isFile() && s.name === 'kustomization.yaml');
      manifests = {
        shared,
        envs: shared
          ? []
          : sub
              .filter((s) => s.isDirectory() && s.name !== 'base')
              .map((s) => s.name)
              .sort(),
      };
    }
    out.push({ ...parsed.data, name: e.name, dir: rel, valueFiles, ...(manifests ? { manifests } : {}) });
  }
  return out;
}
