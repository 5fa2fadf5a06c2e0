import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { LoadedRegistry } from '../config/load.ts';
import type { Registry } from '../config/schema.ts';
import { type Cloud, resolveTarget, type StackTarget } from '../config/targets.ts';
import { IdlcError, type Problem } from '../util/errors.ts';
import { cloudOfRoot, folderOf, stackFolderOf, stackId } from './paths.ts';

/** A root module with its own remote state: idlc/<cloud>/environments/<team>/<env>[/<stack>]. */
export interface Stack {
  /** cloud/team/env[/stack] — stable, used in check names, matrix keys and dependencies. */
  id: string;
  cloud: Cloud;
  team: string;
  env: string;
  /** Path below the env folder ("" when the env folder itself is the stack). */
  name: string;
  /** Repository-relative POSIX path of the stack folder. */
  dir: string;
  engine: Registry['engine'];
  target: StackTarget;
}

const IGNORED_DIRS = new Set(['.terraform', 'modules', 'node_modules', '.git']);
export const TF_FILE = /\.(tf|tofu)(\.json)?$/;

async function listDir(abs: string) {
  try {
    return await readdir(abs, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Folders at or below `abs` (relative `rel`) holding .tf/.tofu files. */
async function findStackDirs(abs: string, rel: string, out: string[]): Promise<void> {
  const entries = await listDir(abs);
  if (entries.some((e) => (e.isFile() || e.isSymbolicLink()) && TF_FILE.test(e.name))) out.push(rel);
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.') || IGNORED_DIRS.has(e.name)) continue;
    await findStackDirs(join(abs, e.name), rel === '' ? e.name : `${rel}/${e.name}`, out);
  }
}

/**
 * Every stack in the repository joined with its registry entry. A folder for a team or an
 * environment the registry does not know is an error (never silently skipped): otherwise a
 * typo would leave infrastructure unmanaged.
 */
export interface DiscoverOptions {
  /**
   * Repo-relative .tf/.tofu files (e.g. from `git ls-files`), to skip walking the folders:
   * at thousands of stacks the walk is most of the time.
   */
  tfFiles?: string[];
}

export async function discoverStacks(loaded: LoadedRegistry, opts: DiscoverOptions = {}): Promise<Stack[]> {
  const { registry: reg, root } = loaded;
  const stacks: Stack[] = [];
  const problems: Problem[] = [];
  const envNames = new Set(reg.environments.map((e) => e.name));
  // From a file list: env folder → stack sub-paths ('' for the env folder itself).
  const listed = new Map<string, Set<string>>();
  const listedChildren = new Map<string, Set<string>>();
  const noteChild = (parent: string, child: string) => {
    const set = listedChildren.get(parent) ?? new Set<string>();
    set.add(child);
    listedChildren.set(parent, set);
  };
  for (const f of opts.tfFiles ?? []) {
    if (f.endsWith('.json')) continue;
    const folder = stackFolderOf(reg.stack_roots, folderOf(f));
    if (!folder) continue;
    noteChild(folder.root, folder.team);
    noteChild(`${folder.root}/${folder.team}`, folder.env);
    if (folder.name.split('/').some((p) => p.startsWith('.') || IGNORED_DIRS.has(p))) continue;
    const set = listed.get(folder.envDir) ?? new Set<string>();
    set.add(folder.name);
    listed.set(folder.envDir, set);
  }
  const children = async (rel: string): Promise<string[]> => {
    if (opts.tfFiles) return [...(listedChildren.get(rel) ?? [])].sort();
    return (await listDir(join(root, rel)))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  };
  for (const stackRoot of reg.stack_roots) {
    const cloud = cloudOfRoot(stackRoot);
    if (!cloud) {
      problems.push({
        file: 'idlc.yaml',
        field: 'stack_roots',
        message: `cannot tell the cloud of stack root "${stackRoot}"`,
        fix: 'name stack roots idlc/aws/environments or idlc/gcp/environments',
      });
      continue;
    }
    for (const team of await children(stackRoot)) {
      const teamRel = posix.join(stackRoot, team);
      const t = reg.teams[team];
      if (!t) {
        problems.push({
          file: teamRel,
          message: `folder for team "${team}", which idlc.yaml does not declare`,
          fix: `add teams.${team} to idlc.yaml (idlc new-team ${team}) or remove the folder`,
        });
        continue;
      }
      for (const env of await children(teamRel)) {
        const envRel = posix.join(teamRel, env);
        if (!envNames.has(env) || !t.envs[env]) {
          problems.push({
            file: envRel,
            message: envNames.has(env)
              ? `team "${team}" has no environment "${env}" in idlc.yaml`
              : `environment "${env}" is not declared in idlc.yaml`,
            fix: envNames.has(env)
              ? `add teams.${team}.envs.${env} to idlc.yaml or remove the folder`
              : `use one of ${[...envNames].join(', ')}, or declare it under environments`,
          });
          continue;
        }
        if (!t.envs[env]?.[cloud]) {
          problems.push({
            file: envRel,
            message: `team "${team}" has no ${cloud} target for "${env}" in idlc.yaml`,
            fix: `add teams.${team}.envs.${env}.${cloud}`,
          });
          continue;
        }
        const dirs: string[] = [];
        if (opts.tfFiles) dirs.push(...[...(listed.get(envRel) ?? [])].sort());
        else await findStackDirs(join(root, envRel), '', dirs);
        for (const name of dirs) {
          const dir = name === '' ? envRel : posix.join(envRel, name);
          try {
            stacks.push({
              id: stackId({ cloud, team, env, name }),
              cloud,
              team,
              env,
              name,
              dir,
              engine: reg.engine,
              target: resolveTarget(reg, cloud, team, env, name),
            });
          } catch (err) {
            problems.push({ file: dir, message: (err as Error).message });
          }
        }
      }
    }
  }
  // Two stacks rendering one state object would read and overwrite each other's state (e.g. a
  // sub-stack named like the env root's key, or a key template without {stack}).
  const byState = new Map<string, Stack>();
  for (const s of stacks) {
    const where = `${s.target.state.backend}://${s.target.state.bucket}/${s.target.state.key}`;
    const other = byState.get(where);
    if (other) {
      problems.push({
        file: s.dir,
        message: `stacks ${other.id} and ${s.id} would share the state object ${where}`,
        fix: `rename the folder ${s.dir} (or put {stack} in state.key in idlc.yaml) so every stack has its own state`,
      });
    } else byState.set(where, s);
  }
  if (problems.length > 0) throw new IdlcError(problems);
  return stacks.sort((a, b) => a.id.localeCompare(b.id));
}
