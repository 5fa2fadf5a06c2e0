/**
 * Where things live under sdlc/, decided once. Team workloads:
 *   sdlc/teams/<team>/base/<app>/                 environment-neutral
 *   sdlc/teams/<team>/<env>/<app>/kustomization.yaml   the pins of <app> in <env>
 * Platform components: sdlc/platform/<component>/ (component.yaml, values.yaml, values-<env>.yaml);
 * first-party charts: sdlc/platform/charts/<chart>/; Argo CD: sdlc/argocd/<env>/ (generated).
 * Imports nothing internal. Paths are built here and read back in src/discovery/paths.ts.
 */

export const SDLC = 'sdlc';
export const TEAMS_DIR = 'sdlc/teams';
export const PLATFORM_DIR = 'sdlc/platform';
export const CHARTS_DIR = 'sdlc/platform/charts';
export const ARGOCD_DIR = 'sdlc/argocd';
/** The folder under a team holding its environment-neutral manifests (never an env name). */
export const BASE = 'base';
/** The one file per app and env that automation edits. */
export const PINS_FILE = 'kustomization.yaml';
/** Written from a stack's `workload` output after apply (kustomize configMapGenerator env file). */
export const INFRA_OUTPUTS_FILE = 'infra-outputs.env';

const NAME = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export interface AppRef {
  team: string;
  env: string;
  app: string;
}

export function appDir(ref: AppRef): string {
  return `${TEAMS_DIR}/${ref.team}/${ref.env}/${ref.app}`;
}

export function pinsPath(ref: AppRef): string {
  return `${appDir(ref)}/${PINS_FILE}`;
}

export function baseDir(team: string, app: string): string {
  return `${TEAMS_DIR}/${team}/${BASE}/${app}`;
}

/** The namespace of a team in an env: what the AppProject allows (`<team>-*`) and the tenant chart creates. */
export function teamNamespace(team: string, env: string): string {
  return `${team}-${env}`;
}

/** The Argo CD Application the team ApplicationSet makes for an app. */
export function applicationName(ref: AppRef): string {
  return `${ref.team}-${ref.env}-${ref.app}`;
}

/** `team/env/app` → parts; anything else is an error message. */
export function parseAppRef(text: string): AppRef | string {
  const parts = text.split('/');
  if (parts.length !== 3 || parts.some((p) => !NAME.test(p))) {
    return `"${text}" is not <team>/<env>/<app> (lowercase names, e.g. search/dev/api)`;
  }
  const [team, env, app] = parts as [string, string, string];
  if (app === BASE || env === BASE) return `"${text}": base is not an env`;
  return { team, env, app };
}

export function isValidAppName(name: string): boolean {
  return NAME.test(name) && name !== BASE;
}
