import { posix } from 'node:path';
import { minimatch } from 'minimatch';
import { type LoadedRegistry, parseRegistry } from '../config/load.ts';
import type { Registry } from '../config/schema.ts';
import { StackLocator } from '../discovery/locate.ts';
import { folderOf, manifestsFolderOf, stackFolderOf, stackId } from '../discovery/paths.ts';
import { type Stack, TF_FILE } from '../discovery/stacks.ts';
import { PLATFORM_DIR, TEAMS_DIR } from '../sdlc/layout.ts';
import { type FileChange, type Git, showFile, trackedHclFiles } from './git.ts';
import { moduleCallsOfMany } from './module-graph.ts';

export interface AffectedStack {
  stack: Stack;
  /** Why it is affected, most direct first (file changed, module chain, registry, trigger). */
  reasons: string[];
}

/** A stack folder that existed at base and is gone at head: it needs a destroy plan or a state move. */
export interface RemovedStack {
  id: string;
  dir: string;
  status: 'deleted' | 'renamed';
  renamedTo?: string;
  action: string;
}

export interface ManifestChange {
  /** sdlc/teams/<team>/<env>/ → team; sdlc/platform → platform. */
  scope: 'team' | 'platform';
  team?: string;
  /** '*' when a team's shared base changed (every env overlay renders it). */
  env?: string;
  dir: string;
  files: string[];
}

export interface AffectedResult {
  files: FileChange[];
  stacks: AffectedStack[];
  removed: RemovedStack[];
  manifests: ManifestChange[];
  /** policy/ changed: re-evaluate the change set's stacks and run the policy test suite. */
  policyChanged: boolean;
  registryChanged: boolean;
  /** A global trigger matched: every stack is affected. */
  allStacks: boolean;
  notes: string[];
}

export interface DetectInput {
  loaded: LoadedRegistry;
  /** Stacks at head (discoverStacks on the checked-out head). */
  stacks: Stack[];
  git: Git;
  base: string | undefined;
  head: string;
  files: FileChange[];
  /** Tracked HCL files at head, if the caller already listed them. */
  tfFiles?: string[];
}

const IGNORED_IN_MODULE = (rel: string) => /\.md$/i.test(rel) || /(^|\/)(tests|examples)\//.test(rel);

function add(map: Map<string, AffectedStack>, stack: Stack, reason: string) {
  const cur = map.get(stack.id);
  if (cur) {
    if (!cur.reasons.includes(reason)) cur.reasons.push(reason);
  } else map.set(stack.id, { stack, reasons: [reason] });
}

/** Folders holding .tf/.tofu files, from a list of repository files. */
function tfDirsOf(paths: Iterable<string>): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) if (TF_FILE.test(p)) dirs.add(posix.dirname(p));
  return dirs;
}

function nearestDir(path: string, dirs: Set<string>): string | undefined {
  let dir = posix.dirname(path);
  while (dir !== '.' && dir !== '') {
    if (dirs.has(dir)) return dir;
    dir = posix.dirname(dir);
  }
  return undefined;
}

/** Which stack-root shaped folder (root/<team>/<env>[/<stack>]) a path belonged to. */
function stackDirAt(
  reg: Registry,
  path: string,
  tfDirs: Set<string>,
): { id: string; dir: string } | undefined {
  const dir = nearestDir(path, tfDirs);
  const folder = dir === undefined ? undefined : stackFolderOf(reg.stack_roots, dir);
  if (!dir || !folder) return undefined;
  return { id: stackId({ ...folder, cloud: folder.cloud ?? 'aws' }), dir };
}

/** HCL files at a commit (only they decide which folders are stacks or modules). */
async function tfFilesAt(git: Git, commit: string): Promise<string[]> {
  // ls-tree takes path prefixes, not globs: filter here.
  const out = await git(['ls-tree', '-r', '-z', '--name-only', commit]);
  return out.split('\0').filter((p) => TF_FILE.test(p));
}

/** Every `source = "..."` line of the repository's HCL, in one git grep: file → raw sources. */
async function sourceLines(git: Git): Promise<Map<string, string[]>> {
  let out = '';
  try {
    out = await git(['grep', '--null', '-I', '-E', '-e', 'source[[:space:]]*=', '--', '*.tf', '*.tofu']);
  } catch {
    return new Map(); // git grep exits 1 when nothing matches
  }
  const index = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const nul = line.indexOf('\0');
    if (nul < 0) continue;
    const file = line.slice(0, nul);
    for (const m of line.slice(nul + 1).matchAll(/source\s*=\s*"([^"]*)"/g)) {
      const list = index.get(file) ?? [];
      list.push(m[1] as string);
      index.set(file, list);
    }
  }
  return index;
}

/**
 * Reverse module closure: from the changed module folders up to every stack that uses them,
 * through modules calling modules. One git grep indexes the `source =` lines to find the
 * candidate callers; the real HCL parser then confirms every call that is followed.
 */
async function stacksUsingModules(
  root: string,
  git: Git,
  changedModules: Map<string, string>,
  stackOfDir: Map<string, Stack>,
  out: Map<string, AffectedStack>,
  changedHcl: string[],
): Promise<void> {
  const index = changedModules.size > 0 ? await sourceLines(git) : new Map<string, string[]>();
  const callersOf = new Map<string, string[]>(); // module dir → files whose text names it
  for (const [file, sources] of index) {
    for (const src of sources) {
      if (!src.startsWith('.')) continue;
      const dir = posix.normalize(posix.join(posix.dirname(file), src)).replace(/\/$/, '');
      const list = callersOf.get(dir) ?? [];
      list.push(file);
      callersOf.set(dir, list);
    }
  }
  // Textual pass: every file that may be on a path from a changed module to a stack.
  const candidates = new Set<string>();
  const seen = new Set(changedModules.keys());
  let frontier = [...changedModules.keys()];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const dir of frontier) {
      for (const file of callersOf.get(dir) ?? []) {
        candidates.add(file);
        const callerDir = posix.dirname(file);
        if (!stackOfDir.has(callerDir) && !seen.has(callerDir)) {
          seen.add(callerDir);
          next.push(callerDir);
        }
      }
    }
    frontier = next;
  }
  // Parsed pass: follow only calls the HCL parser confirms. Changed files are parsed in the
  // same batches (a changed file that does not parse is an error); callers in stacks that
  // are already affected need no parse — they cannot lead anywhere else.
  const directly = new Set([...out.values()].map((a) => a.stack.dir));
  const toParse = new Set(changedHcl);
  for (const f of candidates) if (!directly.has(posix.dirname(f))) toParse.add(f);
  const calls = await moduleCallsOfMany(root, [...toParse].sort());
  const confirmed = new Map<string, { file: string; name: string }[]>();
  for (const [file, list] of calls) {
    for (const call of list) {
      if (!call.localDir) continue;
      const l = confirmed.get(call.localDir) ?? [];
      l.push({ file, name: call.name });
      confirmed.set(call.localDir, l);
    }
  }
  const reached = new Map(changedModules); // module dir → reason chain
  frontier = [...changedModules.keys()];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const dir of frontier) {
      const chain = reached.get(dir) as string;
      for (const { file, name } of confirmed.get(dir) ?? []) {
        const callerDir = posix.dirname(file);
        const stack = stackOfDir.get(callerDir);
        if (stack) add(out, stack, `${chain} (used by module "${name}" in ${file})`);
        else if (!reached.has(callerDir)) {
          reached.set(callerDir, `${chain} → ${callerDir}`);
          next.push(callerDir);
        }
      }
    }
    frontier = next;
  }
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Stacks whose registry entry changed between base and head (or all, if shared settings did). */
function registryImpact(
  before: Registry | undefined,
  after: Registry,
  stacks: Stack[],
): { all: boolean; reason: string; teamEnvs: Set<string> } {
  if (!before) return { all: true, reason: 'idlc.yaml at base could not be read', teamEnvs: new Set() };
  const shared = [
    'engine',
    'clouds',
    'environments',
    'naming',
    'state',
    'stack_roots',
    'module_roots',
  ] as const;
  const changedShared = shared.filter((k) => canonical(before[k]) !== canonical(after[k]));
  if (changedShared.length > 0) {
    return { all: true, reason: `idlc.yaml ${changedShared.join(', ')} changed`, teamEnvs: new Set() };
  }
  const teamEnvs = new Set<string>();
  for (const s of stacks) {
    const a = after.teams[s.team];
    const b = before.teams[s.team];
    const teamLevel = (t: typeof a) => t && canonical({ ...t, envs: undefined });
    if (!b || teamLevel(a) !== teamLevel(b) || canonical(a?.envs[s.env]) !== canonical(b.envs[s.env])) {
      teamEnvs.add(`${s.team}/${s.env}`);
    }
  }
  return { all: false, reason: 'idlc.yaml entry changed', teamEnvs };
}

function manifestScope(path: string): Omit<ManifestChange, 'files'> | undefined {
  const at = manifestsFolderOf(folderOf(path));
  if (at?.area === 'platform') return { scope: 'platform', dir: PLATFORM_DIR };
  if (at?.area !== 'teams') return undefined;
  const teamDir = `${TEAMS_DIR}/${at.team}`;
  if (at.env) return { scope: 'team', team: at.team, env: at.env, dir: `${teamDir}/${at.env}` };
  return { scope: 'team', team: at.team, env: '*', dir: teamDir };
}

/**
 * The heart of change detection: map changed files to stacks (directly, through local module
 * closures, registry entries and global triggers), manifests and policy — and report stacks
 * that disappeared instead of silently dropping them.
 */
export async function computeAffected(input: DetectInput): Promise<AffectedResult> {
  const { loaded, stacks, git, base, files } = input;
  const reg = loaded.registry;
  const root = loaded.root;
  const out = new Map<string, AffectedStack>();
  const notes: string[] = [];
  const locator = new StackLocator(stacks);
  const stackOf = (path: string) => locator.ofFile(path);
  const stackOfDir = new Map(stacks.map((s) => [s.dir, s]));

  // A changed HCL file that does not parse is an error, never "no changes".
  const changedHcl = files
    .filter((f) => f.status !== 'D' && TF_FILE.test(f.path) && !f.path.endsWith('.json'))
    .map((f) => f.path);

  const globalHit = files.find((f) => reg.triggers.some((g) => minimatch(f.path, g, { dot: true })));
  const allStacks = globalHit !== undefined;
  if (globalHit) for (const s of stacks) add(out, s, `global trigger: ${globalHit.path}`);

  // The base tree only matters for files that are gone at head (deleted or moved away).
  const needBase = base !== undefined && files.some((f) => f.status === 'D' || f.status === 'R');
  const [headFiles, baseFiles] = await Promise.all([
    input.tfFiles ?? trackedHclFiles(git),
    needBase ? tfFilesAt(git, base as string) : Promise.resolve([]),
  ]);
  const headTfDirs = tfDirsOf(headFiles);
  const baseTfDirs = tfDirsOf(baseFiles);
  const allTfDirs = new Set([...headTfDirs, ...baseTfDirs]);
  const inStackRoot = (p: string) => reg.stack_roots.some((r) => p.startsWith(`${r}/`));

  const changedModules = new Map<string, string>();
  const manifests = new Map<string, ManifestChange>();
  let policyChanged = false;
  let registryChanged = false;
  const removed = new Map<string, RemovedStack>();

  for (const f of files) {
    const paths = f.from ? [f.path, f.from] : [f.path];
    for (const p of paths) {
      if (p === 'idlc.yaml') registryChanged = true;
      if (p.startsWith('policy/')) policyChanged = true;
      const m = manifestScope(p);
      if (m) {
        const key = `${m.dir}|${m.env ?? ''}`;
        const cur = manifests.get(key) ?? { ...m, files: [] };
        if (!cur.files.includes(p)) cur.files.push(p);
        manifests.set(key, cur);
      }
      const stack = stackOf(p);
      if (stack && !/\.md$/i.test(p)) {
        add(out, stack, f.status === 'R' && p === f.from ? `file moved away: ${p}` : `changed: ${p}`);
        continue;
      }
      if (inStackRoot(p)) continue;
      const moduleDir = nearestDir(p, allTfDirs);
      if (
        moduleDir &&
        !IGNORED_IN_MODULE(p.slice(moduleDir.length + 1)) &&
        !/(^|\/)(tests|examples)(\/|$)/.test(moduleDir)
      ) {
        if (!changedModules.has(moduleDir)) changedModules.set(moduleDir, `module ${moduleDir} changed`);
      }
    }
    // Stack folders that existed at base and are gone (or moved) at head.
    if (f.status === 'D' || f.status === 'R') {
      const was = stackDirAt(reg, f.from ?? f.path, baseTfDirs);
      if (was && !headTfDirs.has(was.dir) && !removed.has(was.id)) {
        const movedTo = f.status === 'R' ? stackOf(f.path) : undefined;
        removed.set(was.id, {
          id: was.id,
          dir: was.dir,
          status: movedTo ? 'renamed' : 'deleted',
          renamedTo: movedTo?.id,
          action: movedTo
            ? `state stays at the old key: move it (tofu state pull/push or a moved/import plan) before ${movedTo.id} applies, or it will create everything anew`
            : 'its resources still exist: plan a destroy with the old folder restored (or remove them from state on purpose) before merging',
        });
      }
    }
  }

  await stacksUsingModules(root, git, changedModules, stackOfDir, out, changedHcl);

  if (registryChanged && base) {
    const beforeText = await showFile(git, base, 'idlc.yaml');
    let before: Registry | undefined;
    try {
      before = beforeText === undefined ? undefined : parseRegistry(beforeText);
    } catch {
      notes.push('idlc.yaml at base does not load: every stack is re-planned');
    }
    const impact = registryImpact(before, reg, stacks);
    for (const s of stacks) {
      if (impact.all || impact.teamEnvs.has(`${s.team}/${s.env}`)) add(out, s, impact.reason);
    }
  } else if (registryChanged) {
    for (const s of stacks) add(out, s, 'idlc.yaml changed (no base to compare)');
  }

  const affected = [...out.values()].sort((a, b) => a.stack.id.localeCompare(b.stack.id));
  if (policyChanged)
    notes.push('policy/ changed: policies re-evaluated for every planned stack, policy tests run');
  return {
    files,
    stacks: affected,
    removed: [...removed.values()].sort((a, b) => a.id.localeCompare(b.id)),
    manifests: [...manifests.values()]
      .map((m) => ({ ...m, files: m.files.sort() }))
      .sort((a, b) => a.dir.localeCompare(b.dir)),
    policyChanged,
    registryChanged,
    allStacks,
    notes,
  };
}
