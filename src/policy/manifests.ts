import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { IdlcError, type Problem } from '../util/errors.ts';

/** One Kubernetes object and where it was written. */
export interface Manifest {
  object: Record<string, unknown>;
  file: string;
  line: number;
}

const YAML_FILE = /\.ya?ml$/;
const KUSTOMIZATION = /^kustomization\.ya?ml$/;

async function yamlFiles(dir: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await yamlFiles(p, out);
    else if (e.isFile() && YAML_FILE.test(e.name)) out.push(p);
  }
}

/**
 * Every object in every *.yaml/*.yml below `dir` (multi-document files included). An object
 * without metadata.namespace gets the namespace of the nearest kustomization.yaml, as
 * `kustomize build` would give it. Kustomization files themselves are not objects.
 */
export async function loadManifests(root: string, dir: string): Promise<Manifest[]> {
  const files: string[] = [];
  await yamlFiles(dir, files);
  files.sort();
  const problems: Problem[] = [];
  const namespaces = new Map<string, string>();
  const docs: { file: string; line: number; value: unknown }[] = [];
  for (const abs of files) {
    const file = relative(root, abs) || abs;
    const text = await readFile(abs, 'utf8');
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          problems.push({
            file,
            line: lines.linePos(e.pos[0]).line,
            column: lines.linePos(e.pos[0]).col,
            message: `invalid YAML: ${e.message.split('\n')[0]}`,
            fix: 'fix the YAML syntax at this position',
          });
        }
        continue;
      }
      const value = doc.toJS();
      const line = doc.contents?.range ? lines.linePos(doc.contents.range[0]).line : 1;
      if (KUSTOMIZATION.test(abs.split('/').pop() ?? '')) {
        const ns = (value as { namespace?: unknown } | null)?.namespace;
        if (typeof ns === 'string') namespaces.set(dirname(abs), ns);
        continue;
      }
      docs.push({ file: abs, line, value });
    }
  }
  if (problems.length > 0) throw new IdlcError(problems);
  const out: Manifest[] = [];
  for (const d of docs) {
    if (d.value === null || d.value === undefined) continue;
    const object = d.value as Record<string, unknown>;
    if (typeof object !== 'object' || Array.isArray(object) || typeof object.kind !== 'string') {
      throw new IdlcError({
        file: relative(root, d.file),
        line: d.line,
        message: 'not a Kubernetes object (no kind)',
        fix: 'each YAML document below a manifests folder is one object with apiVersion, kind and metadata',
      });
    }
    out.push({
      object: withNamespace(object, namespaceFor(d.file, dir, namespaces)),
      file: relative(root, d.file),
      line: d.line,
    });
  }
  return out;
}

function namespaceFor(file: string, top: string, namespaces: Map<string, string>): string | undefined {
  let dir = dirname(file);
  for (;;) {
    const ns = namespaces.get(dir);
    if (ns) return ns;
    if (dir === top || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

function withNamespace(object: Record<string, unknown>, ns: string | undefined): Record<string, unknown> {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  if (!ns || object.kind === 'Namespace' || typeof metadata.namespace === 'string') return object;
  return { ...object, metadata: { ...metadata, namespace: ns } };
}
