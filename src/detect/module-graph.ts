import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { TF_FILE } from '../discovery/stacks.ts';
import { blocks, parseHcl } from '../hcl/parse.ts';
import { IdlcError, type Problem } from '../util/errors.ts';

/** A `module` block's source, resolved. */
export interface ModuleCall {
  /** File holding the call (repo-relative). */
  file: string;
  name: string;
  source: string;
  /** Repo-relative module folder for local sources; undefined for remote ones. */
  localDir?: string;
  /** Why the source is not followed (remote registry/git, or a path escaping the repo). */
  note?: string;
}

const toPosix = (p: string) => p.split(sep).join('/');

function isLocalSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../') || source === '.' || source === '..';
}

/** Quick textual pre-check: files without a module block need no HCL parse. */
export const MAYBE_MODULE = /\bmodule\s*"/;

function resolveCall(file: string, name: string, source: string): ModuleCall {
  if (!isLocalSource(source)) return { file, name, source, note: 'remote source: not followed' };
  const dir = posix.normalize(posix.join(posix.dirname(file), source)).replace(/\/$/, '');
  if (dir === '..' || dir.startsWith('../')) {
    return { file, name, source, note: 'source points outside the repository: treated as remote' };
  }
  return { file, name, source, localDir: dir === '' ? '.' : dir };
}

/** Files per parser call when batching: each call costs ~1 ms, bytes cost far less. */
const BATCH = 100;

/**
 * Parse many files with few parser calls and return their module calls. Files are parsed
 * together with every block label prefixed by the file's index (unique labels keep the
 * parser linear and map calls back to their file). If a batch does not parse, its files are
 * parsed one by one and every syntax error is reported with its own file and line.
 */
export async function moduleCallsOfMany(root: string, files: string[]): Promise<Map<string, ModuleCall[]>> {
  const out = new Map<string, ModuleCall[]>();
  const problems: Problem[] = [];
  const texts = await Promise.all(files.map((f) => readFile(join(root, f), 'utf8').catch(() => undefined)));
  const present = files
    .map((file, i) => ({ file, text: texts[i] }))
    .filter((x): x is { file: string; text: string } => x.text !== undefined);
  for (let start = 0; start < present.length; start += BATCH) {
    const chunk = present.slice(start, start + BATCH);
    const joined = chunk
      .map((x, i) => x.text.replace(/\b(module|resource|data|variable|output)(\s*)"/g, `$1$2"f${i}__`))
      .join('\n');
    let doc: Record<string, unknown>;
    try {
      doc = await parseHcl('batch.tf', joined);
    } catch {
      for (const x of chunk) {
        try {
          await parseHcl(x.file, x.text);
          out.set(x.file, await moduleCallsOf(root, x.file, x.text));
        } catch (err) {
          if (err instanceof IdlcError) problems.push(...err.problems);
          else throw err;
        }
      }
      continue;
    }
    for (const x of chunk) out.set(x.file, []);
    for (const b of blocks(doc, 'module')) {
      const m = /^f(\d+)__(.*)$/.exec(b.labels[0] ?? '');
      const x = m ? chunk[Number(m[1])] : undefined;
      const source = b.body['source'];
      if (!m || !x || typeof source !== 'string') continue;
      out.get(x.file)?.push(resolveCall(x.file, m[2] as string, source));
    }
  }
  if (problems.length > 0) throw new IdlcError(problems);
  for (const f of files) if (!out.has(f)) out.set(f, []);
  return out;
}

/**
 * Module calls of one file, parsed with the real HCL parser. Local sources resolve relative
 * to the file's folder; sources escaping the repository are treated as remote, with a note.
 */
export async function moduleCallsOf(root: string, file: string, text?: string): Promise<ModuleCall[]> {
  const content = text ?? (await readFile(join(root, file), 'utf8'));
  if (!MAYBE_MODULE.test(content)) return [];
  const doc = await parseHcl(file, content);
  const calls: ModuleCall[] = [];
  for (const b of blocks(doc, 'module')) {
    const source = b.body['source'];
    if (typeof source === 'string') calls.push(resolveCall(file, b.labels[0] ?? '', source));
  }
  return calls;
}

async function tfFilesIn(root: string, dir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(root, dir), { withFileTypes: true });
    return entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && TF_FILE.test(e.name) && !e.name.endsWith('.json'))
      .map((e) => (dir === '.' ? e.name : `${dir}/${e.name}`))
      .sort();
  } catch {
    return [];
  }
}

/** All files of a folder that shape a plan: HCL, tfvars, the lock file (not nested folders). */
export async function configFilesIn(root: string, dir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(root, dir), { withFileTypes: true });
    return entries
      .filter(
        (e) =>
          (e.isFile() || e.isSymbolicLink()) &&
          (TF_FILE.test(e.name) || /\.tfvars(\.json)?$/.test(e.name) || e.name === '.terraform.lock.hcl'),
      )
      .map((e) => `${dir}/${e.name}`)
      .sort();
  } catch {
    return [];
  }
}

export interface Closure {
  /** Module folders the stack uses, transitively (repo-relative, sorted). */
  modules: string[];
  /** Files that determine the stack's plan: its own config files and every module file. */
  files: string[];
  /** Remote or out-of-repo sources, noted (not followed). */
  remote: ModuleCall[];
}

/** Forward closure: the stack folder plus every local module it calls, transitively. */
export async function moduleClosure(root: string, stackDir: string): Promise<Closure> {
  const seen = new Set<string>();
  const remote: ModuleCall[] = [];
  const files = new Set<string>(await configFilesIn(root, stackDir));
  const queue = [stackDir];
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    for (const f of await tfFilesIn(root, dir)) {
      files.add(f);
      for (const call of await moduleCallsOf(root, f)) {
        if (!call.localDir) {
          remote.push(call);
          continue;
        }
        if (call.localDir === stackDir || seen.has(call.localDir)) continue;
        seen.add(call.localDir);
        queue.push(call.localDir);
        for (const mf of await configFilesIn(root, call.localDir)) files.add(mf);
      }
    }
  }
  return { modules: [...seen].sort(), files: [...files].sort(), remote };
}

/** Repo-relative POSIX path of an absolute path, following symlinks inside the repo. */
export async function repoRelative(root: string, abs: string): Promise<string> {
  const real = await realpath(abs).catch(() => abs);
  const realRoot = await realpath(root).catch(() => root);
  return toPosix(relative(realRoot, real));
}
