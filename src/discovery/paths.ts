/**
 * What a repository path is, decided once: the stack layout
 *   <stack root>/<team>/<env>[/<stack>]            (stack_roots of idlc.yaml)
 * with stack ids <cloud>/<team>/<env>[/<stack>], and the team manifests layout
 *   sdlc/teams/<team>/base/<app>/...               environment-neutral
 *   sdlc/teams/<team>/<env>/<app>/...              the app in <env>
 * (built by src/sdlc/layout.ts from the same constants). Pure: no file system, no registry.
 */
import { isAbsolute, relative, sep } from 'node:path';
import type { Cloud } from '../config/targets.ts';
import { type AppRef, BASE, PLATFORM_DIR, TEAMS_DIR } from '../sdlc/layout.ts';

/** `abs` relative to `root` with / separators, '..' included when it is outside ('.' for the root). */
export function posixRelative(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/') || '.';
}

/**
 * `abs` as a POSIX path relative to `root`; undefined when it is outside the root (`..`, or
 * another drive). '' is the root itself. A folder named `..x` is inside.
 */
export function repoRelative(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (isAbsolute(rel)) return undefined;
  const posixRel = rel.split(sep).join('/');
  if (posixRel === '..' || posixRel.startsWith('../')) return undefined;
  return posixRel;
}

/** The cloud a stack root belongs to, from a path segment named aws or gcp. */
export function cloudOfRoot(root: string): Cloud | undefined {
  const parts = root.split('/');
  if (parts.includes('aws')) return 'aws';
  if (parts.includes('gcp')) return 'gcp';
  return undefined;
}

/** The first stack root of a cloud (where `idlc new-team` puts a team's stacks). */
export function stackRootOf(stackRoots: readonly string[], cloud: Cloud): string | undefined {
  return stackRoots.find((r) => cloudOfRoot(r) === cloud);
}

export interface StackIdParts {
  cloud: string;
  team: string;
  env: string;
  /** Path below the env folder ("" when the env folder itself is the stack). */
  name: string;
}

export function stackId(p: StackIdParts): string {
  return p.name === '' ? `${p.cloud}/${p.team}/${p.env}` : `${p.cloud}/${p.team}/${p.env}/${p.name}`;
}

/** `aws/search/dev[/rag]` → its parts; undefined when it has fewer than three non-empty parts. */
export function parseStackId(id: string): StackIdParts | undefined {
  const parts = id.split('/');
  if (parts.length < 3 || parts.some((p) => p === '')) return undefined;
  const [cloud, team, env, ...rest] = parts as [string, string, string, ...string[]];
  return { cloud, team, env, name: rest.join('/') };
}

/** A folder at or below a team's env folder under a stack root. */
export interface StackFolder {
  /** The stack root it is under, as listed in idlc.yaml. */
  root: string;
  cloud: Cloud | undefined;
  team: string;
  env: string;
  /** Path below the env folder ("" for the env folder itself). */
  name: string;
  /** <root>/<team>/<env>. */
  envDir: string;
}

/**
 * The stack-shaped folder `dir` is (`<root>/<team>/<env>[/<stack>]`), whether or not it holds a
 * stack. The first stack root `dir` is under decides; above an env folder it is none.
 */
export function stackFolderOf(stackRoots: readonly string[], dir: string): StackFolder | undefined {
  for (const root of stackRoots) {
    if (!dir.startsWith(`${root}/`)) continue;
    const parts = dir.slice(root.length + 1).split('/');
    if (parts.length < 2 || parts.some((p) => p === '')) return undefined;
    const [team, env, ...rest] = parts as [string, string, ...string[]];
    return {
      root,
      cloud: cloudOfRoot(root),
      team,
      env,
      name: rest.join('/'),
      envDir: `${root}/${team}/${env}`,
    };
  }
  return undefined;
}

/** Where a folder under sdlc/teams is: a team's own folder, its base, an env, or an app of either. */
export interface TeamManifestsFolder {
  team: string;
  /** The env folder it is at or under; absent at the team folder and in base. */
  env?: string;
  /** At or under base/. */
  base: boolean;
  /** The app folder it is at or under (sdlc/teams/<team>/<env|base>/<app>). */
  app?: string;
}

export type ManifestsFolder =
  | ({ area: 'teams' } & TeamManifestsFolder)
  | { area: 'platform'; component?: string };

/** What the folder `dir` (repository-relative) is in the sdlc/ layout; undefined elsewhere. */
export function manifestsFolderOf(dir: string): ManifestsFolder | undefined {
  const parts = dir.split('/');
  if (parts.some((p) => p === '')) return undefined;
  const platform = PLATFORM_DIR.split('/');
  if (platform.every((p, i) => parts[i] === p)) {
    const component = parts[platform.length];
    return component ? { area: 'platform', component } : { area: 'platform' };
  }
  const teams = TEAMS_DIR.split('/');
  if (!teams.every((p, i) => parts[i] === p)) return undefined;
  const [team, envOrBase, app] = parts.slice(teams.length);
  if (!team) return undefined;
  const base = envOrBase === BASE;
  return {
    area: 'teams',
    team,
    ...(envOrBase && !base ? { env: envOrBase } : {}),
    base,
    ...(envOrBase && app ? { app } : {}),
  };
}

/** The folder of a repository-relative file ('' for a file at the root). */
export function folderOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

/** sdlc/teams/<team>/<env>/<app>/... → the app it belongs to (files in base/ belong to none). */
export function appOfPath(file: string): AppRef | undefined {
  const f = manifestsFolderOf(folderOf(file));
  if (f?.area !== 'teams' || !f.env || !f.app) return undefined;
  return { team: f.team, env: f.env, app: f.app };
}
