import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { unzipWithin } from '../github/artifacts.ts';
import { UsageError } from '../util/errors.ts';

/**
 * A saved plan carries the configuration it was made from (`tfconfig/m-<module key>/*` and
 * `tfconfig/modules.json` inside the plan zip), and apply uses that copy, not the checkout.
 * So before applying, compare it file by file with the merge commit's stack and local module
 * folders: a plan made from any other configuration is refused, whatever its provenance says.
 */
const CONFIG_FILE = /\.(tf|tf\.json|tofu|tofu\.json)$/;
const PLAN_LIMITS = {
  maxArtifacts: 1,
  maxZipBytes: 512 * 1024 * 1024,
  maxFiles: 20_000,
  maxFileBytes: 512 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

interface ModuleEntry {
  Key: string;
  Source?: string;
  Dir: string;
}

/** Config files tofu loads from a folder: `x.tofu` wins over `x.tf` (and `.tofu.json` over `.tf.json`). */
async function configFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && CONFIG_FILE.test(e.name))
    .map((e) => e.name);
  const set = new Set(names);
  return names
    .filter((n) => !(n.endsWith('.tf') && set.has(`${n.slice(0, -3)}.tofu`)))
    .filter((n) => !(n.endsWith('.tf.json') && set.has(`${n.slice(0, -8)}.tofu.json`)))
    .sort();
}

export interface ConfigDifference {
  module: string;
  file: string;
  change: 'changed' | 'only in the plan' | 'only in the merge commit';
}

/**
 * Differences between the plan file's configuration snapshot and the checkout (repository
 * root + stack folder). Remote modules (under `.terraform/modules`) are pinned by the source
 * strings of the compared files, so their content is not compared here.
 */
export async function diffPlanConfiguration(
  planFile: Uint8Array,
  root: string,
  stackDir: string,
): Promise<ConfigDifference[]> {
  const entries = unzipWithin(planFile, 'the saved plan file', PLAN_LIMITS);
  const modulesJson = entries.get('tfconfig/modules.json');
  if (!modulesJson) {
    throw new UsageError(
      'the saved plan file has no configuration snapshot (tfconfig/modules.json)',
      'nothing was applied. This is not a plan file written by tofu/terraform plan -out; re-run the plan',
    );
  }
  let modules: ModuleEntry[];
  try {
    modules = JSON.parse(Buffer.from(modulesJson).toString('utf8')) as ModuleEntry[];
    if (!Array.isArray(modules)) throw new Error('not a list');
  } catch (err) {
    throw new UsageError(`the saved plan's tfconfig/modules.json is unreadable: ${(err as Error).message}`);
  }
  const diffs: ConfigDifference[] = [];
  const seenPrefixes = new Set<string>();
  for (const m of modules) {
    const key = String(m.Key ?? '');
    const prefix = `tfconfig/m-${key}/`;
    seenPrefixes.add(prefix);
    const dir = posix.normalize(String(m.Dir ?? '.'));
    if (dir.startsWith('.terraform/') || dir.includes('/.terraform/')) continue;
    const repoDir = posix.normalize(posix.join(stackDir, dir));
    if (repoDir === '..' || repoDir.startsWith('../') || posix.isAbsolute(repoDir)) {
      diffs.push({ module: key || '(root)', file: dir, change: 'only in the plan' });
      continue;
    }
    const snapshot = new Map<string, Uint8Array>();
    for (const [name, bytes] of entries) {
      if (name.startsWith(prefix) && !name.slice(prefix.length).includes('/'))
        snapshot.set(name.slice(prefix.length), bytes);
    }
    let local: string[] = [];
    try {
      local = await configFiles(join(root, repoDir));
    } catch {
      local = [];
    }
    const label = key || '(root)';
    for (const name of local) {
      const planned = snapshot.get(name);
      if (!planned)
        diffs.push({ module: label, file: `${repoDir}/${name}`, change: 'only in the merge commit' });
      else if (!Buffer.from(planned).equals(await readFile(join(root, repoDir, name))))
        diffs.push({ module: label, file: `${repoDir}/${name}`, change: 'changed' });
      snapshot.delete(name);
    }
    for (const name of snapshot.keys())
      diffs.push({ module: label, file: `${repoDir}/${name}`, change: 'only in the plan' });
  }
  for (const name of entries.keys()) {
    if (name.startsWith('tfconfig/m-') && ![...seenPrefixes].some((p) => name.startsWith(p))) {
      diffs.push({ module: name.split('/')[1]?.slice(2) ?? '?', file: name, change: 'only in the plan' });
    }
  }
  return diffs;
}

/** Refuse a plan whose embedded configuration is not the merge commit's. */
export async function verifyPlanConfiguration(
  planFile: Uint8Array,
  root: string,
  stackDir: string,
  stackId: string,
): Promise<void> {
  const diffs = await diffPlanConfiguration(planFile, root, stackDir);
  if (diffs.length === 0) return;
  const shown = diffs.slice(0, 20).map((d) => `${d.file} (${d.change}; module ${d.module})`);
  throw new UsageError(
    `stack ${stackId}: refusing to apply: the saved plan was made from other configuration than the merge commit:\n  - ${shown.join('\n  - ')}${diffs.length > 20 ? `\n  - … ${diffs.length - 20} more` : ''}`,
    'nothing was applied. Re-run the plan on a PR with the current content, review it, and merge again',
  );
}
