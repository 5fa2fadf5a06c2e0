import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Registry } from '../config/schema.ts';
import { moduleClosure } from '../detect/module-graph.ts';
import type { Stack } from '../discovery/stacks.ts';
import { UsageError } from '../util/errors.ts';

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Lists the repository-relative files whose content determines a stack, plus remote module
 * sources (pinned by their source string). Injected so tests (and other layouts) can swap it.
 */
export type StackFiles = (root: string, stackDir: string) => Promise<{ files: string[]; remote: string[] }>;

const SKIP_DIRS = new Set(['.terraform', '.git', 'node_modules']);
const SKIP_FILE = /\.(tfplan|tfstate|tfstate\.backup)$|^\.idlc-/;

/** Every file below a folder (recursive), skipping engine working data. */
export async function filesBelow(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      const p = posix.join(rel, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(p);
      } else if (e.isFile() && !SKIP_FILE.test(e.name)) {
        files.push(p);
      }
    }
  };
  await walk(dir);
  return files;
}

/**
 * The stack's closure as detect computes it (its config files, every local module it calls,
 * transitively, the lock file and tfvars), widened to *every* file below the stack folder and
 * below each module folder: templates read with file(), policy JSON, scripts. Over-inclusion
 * can only refuse an apply that was safe; under-inclusion could apply a plan for content
 * nobody reviewed.
 */
export const stackClosureFiles: StackFiles = async (root, stackDir) => {
  const closure = await moduleClosure(root, stackDir);
  const files = new Set(closure.files);
  for (const dir of [stackDir, ...closure.modules]) for (const f of await filesBelow(root, dir)) files.add(f);
  return {
    files: [...files],
    remote: closure.remote.map((c) => `${c.file}: module "${c.name}" source=${c.source}`),
  };
};

export interface ContentFile {
  path: string;
  sha256: string;
}

export interface StackContent {
  /** sha256 over the sorted "path\0sha256(content)\n" lines and the remote sources. */
  sha256: string;
  files: ContentFile[];
  remote: string[];
}

/**
 * The content hash of a stack as checked out. Computed before `init` (which may write the lock
 * file) on both sides, so plan and apply hash the same thing.
 */
export async function stackContent(
  root: string,
  stackDir: string,
  listFiles: StackFiles = stackClosureFiles,
): Promise<StackContent> {
  const closure = await listFiles(root, stackDir);
  const files: ContentFile[] = [];
  for (const path of [...new Set(closure.files)].sort()) {
    files.push({ path, sha256: sha256(await readFile(join(root, path))) });
  }
  const remote = [...new Set(closure.remote)].sort();
  const lines = [...files.map((f) => `${f.path}\0${f.sha256}\n`), ...remote.map((r) => `remote\0${r}\n`)];
  return { sha256: sha256(lines.join('')), files, remote };
}

/** JSON with sorted keys and no undefined: one byte sequence per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The registry as it applies to this stack: the team/env entry, the engine pin and the resolved
 * target (account, roles, state location). A registry change that moves the stack (another
 * account, another bucket) after the plan makes the plan unusable.
 */
export function registryEntry(reg: Registry, stack: Stack): unknown {
  return {
    team: stack.team,
    env: stack.env,
    cloud: stack.cloud,
    entry: reg.teams[stack.team]?.envs[stack.env]?.[stack.cloud] ?? null,
    engine: reg.engine,
    target: stack.target,
  };
}

export const registryEntryHash = (reg: Registry, stack: Stack) =>
  sha256(canonicalJson(registryEntry(reg, stack)));

/** The policy result the policy step produced for this plan (accepted as an input). */
export interface PolicyVerdict {
  /** False when no policy ran (then `denied` is false and the report says so). */
  evaluated: boolean;
  denied: boolean;
  /** Number of deny messages. */
  violations?: number;
  summary?: string;
}

export const PROVENANCE_SCHEMA = 'idlc.plan-provenance/v1';

export interface Provenance {
  schema: typeof PROVENANCE_SCHEMA;
  stackId: string;
  stackDir: string;
  headSha: string;
  runId: string;
  createdAt: string;
  content: StackContent;
  engine: { name: string; version: string };
  registryEntrySha256: string;
  policy: PolicyVerdict;
  plan: { sha256: string; jsonSha256: string; hasChanges: boolean };
}

export interface ApplyContext {
  stackId: string;
  headSha: string;
  content: StackContent;
  engine: { name: string; version: string };
  registryEntrySha256: string;
}

function changedFiles(planned: ContentFile[], now: ContentFile[]): string[] {
  const a = new Map(planned.map((f) => [f.path, f.sha256]));
  const b = new Map(now.map((f) => [f.path, f.sha256]));
  const out: string[] = [];
  for (const [p, h] of a)
    if (!b.has(p)) out.push(`${p} (removed)`);
    else if (b.get(p) !== h) out.push(`${p} (changed)`);
  for (const p of b.keys()) if (!a.has(p)) out.push(`${p} (added)`);
  return out.sort();
}

/**
 * Compare what was planned with what is about to be applied. Every mismatch refuses the apply:
 * the bundle belongs to another stack or commit, the stack or a module changed after review,
 * the engine or the registry entry changed, or policy denied the plan.
 */
export function verifyProvenance(p: Provenance, now: ApplyContext): void {
  const reasons: string[] = [];
  if (p.schema !== PROVENANCE_SCHEMA) reasons.push(`unknown provenance format "${String(p.schema)}"`);
  if (p.stackId !== now.stackId) reasons.push(`the bundle is for stack ${p.stackId}, not ${now.stackId}`);
  if (p.headSha !== now.headSha)
    reasons.push(`the bundle was planned at ${p.headSha}, not at the PR head ${now.headSha}`);
  if (p.content.sha256 !== now.content.sha256) {
    const changed = changedFiles(p.content.files, now.content.files);
    const remote =
      p.content.remote.join() !== now.content.remote.join() ? ['remote module sources changed'] : [];
    reasons.push(
      `the stack content at the merge commit differs from what was planned: ${[...changed, ...remote].join(', ') || 'content hash differs'}`,
    );
  }
  if (p.engine.name !== now.engine.name || p.engine.version !== now.engine.version) {
    reasons.push(
      `planned with ${p.engine.name} ${p.engine.version}, the registry now pins ${now.engine.name} ${now.engine.version}`,
    );
  }
  if (p.registryEntrySha256 !== now.registryEntrySha256) {
    reasons.push(
      "the stack's registry entry (account, roles, state location or engine) changed after the plan",
    );
  }
  if (p.policy.denied) {
    reasons.push(`policy denied this plan${p.policy.summary ? `: ${p.policy.summary}` : ''}`);
  }
  if (reasons.length > 0) {
    throw new UsageError(
      `stack ${now.stackId}: refusing to apply the reviewed plan bundle:\n  - ${reasons.join('\n  - ')}`,
      'nothing was applied. Re-run the plan on a PR with the current content, review it, and merge again',
    );
  }
}
