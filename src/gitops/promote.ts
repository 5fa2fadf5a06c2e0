/**
 * Promotion: copy the pins that are in the source env's overlays into the target env's, in the
 * order the registry allows. Never "latest", never a key the target does not already have;
 * a held target pin stays. Planning is pure over a file reader, so the action (API, at the
 * branch head) and the CLI (working tree) share it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from '../config/schema.ts';
import { type AppRef, isValidAppName, pinsPath, TEAMS_DIR } from '../sdlc/layout.ts';
import { IdlcError, UsageError } from '../util/errors.ts';
import type { DeployChange } from './message.ts';
import { editsFor, type Pin, type PinRequest, readPins } from './pins.ts';
import type { FileAddition } from './repo-api.ts';
import type { HeldPin, ReadFiles } from './update.ts';
import { editScalars, HeldPinError } from './yaml-edit.ts';

export interface PromotionRequest {
  team: string;
  /** One app, or every app of the team that exists in both envs. */
  app: string | 'all';
  from: string;
  to: string;
}

export interface PromotionChange extends DeployChange {
  /** Where the promoted value was read: the source overlay and the pin's line there. */
  source: { file: string; line: number };
}

export interface PromotionPlan {
  additions: FileAddition[];
  changes: PromotionChange[];
  held: HeldPin[];
  /** Apps considered whose target already had every source pin. */
  unchanged: string[];
  /** Apps skipped, with why (promotion of "all" only). */
  skipped: string[];
}

/** Envs whose pins may be promoted into `to`: promote_from, else the env before it. */
export function allowedSources(registry: Registry, to: string): string[] {
  const i = registry.environments.findIndex((e) => e.name === to);
  const env = registry.environments[i];
  if (!env) return [];
  if (env.promote_from) return env.promote_from;
  const previous = registry.environments[i - 1];
  return previous ? [previous.name] : [];
}

export function verifyPromotion(registry: Registry, r: PromotionRequest): void {
  const names = registry.environments.map((e) => e.name);
  for (const env of [r.from, r.to]) {
    if (!names.includes(env))
      throw new UsageError(
        `environment "${env}" is not declared in idlc.yaml`,
        `use one of ${names.join(', ')}`,
      );
  }
  const team = registry.teams[r.team];
  if (!team) {
    throw new UsageError(
      `team "${r.team}" is not in idlc.yaml`,
      `use one of ${Object.keys(registry.teams).join(', ')}`,
    );
  }
  for (const env of [r.from, r.to]) {
    if (!team.envs[env])
      throw new UsageError(
        `team ${r.team} has no env "${env}" in idlc.yaml`,
        `its envs: ${Object.keys(team.envs).join(', ')}`,
      );
  }
  const allowed = allowedSources(registry, r.to);
  if (!allowed.includes(r.from)) {
    const order = names.join(' → ');
    throw new UsageError(
      `${r.to} cannot be promoted from ${r.from}: the registry allows ${allowed.length ? allowed.join(' or ') : 'no env'} as its source (order ${order})`,
      allowed.length
        ? `promote ${allowed[0]} → ${r.to} (after ${r.from} → ${allowed[0]}), or list ${r.from} in environments[${names.indexOf(r.to)}].promote_from of idlc.yaml to allow skipping`
        : `${r.to} is first in the promotion order: set its pins with gitops-update instead`,
    );
  }
}

function requestFrom(pin: Pin): PinRequest {
  if (pin.kind === 'chart') return { kind: 'chart', name: pin.name, version: pin.fields.version ?? '' };
  return {
    kind: 'image',
    name: pin.name,
    ...(pin.fields.newTag !== undefined ? { tag: pin.fields.newTag } : {}),
    ...(pin.fields.digest !== undefined ? { digest: pin.fields.digest } : {}),
  };
}

export async function planPromotion(o: {
  request: PromotionRequest;
  /** Apps to consider: [app], or every app folder of the team's target env for "all". */
  apps: string[];
  read: ReadFiles;
}): Promise<PromotionPlan> {
  const { team, from, to } = o.request;
  const explicit = o.request.app !== 'all';
  const refs = o.apps.map((app) => ({ src: { team, env: from, app }, dst: { team, env: to, app } }));
  const files = await o.read(refs.flatMap((r) => [pinsPath(r.src), pinsPath(r.dst)]));
  const plan: PromotionPlan = { additions: [], changes: [], held: [], unchanged: [], skipped: [] };
  if (refs.length === 0)
    throw new UsageError(
      `team ${team} has no apps in ${to}`,
      `add one with idlc new-app ${team} <app> --template …`,
    );
  for (const { src, dst } of refs) {
    const srcFile = pinsPath(src);
    const dstFile = pinsPath(dst);
    const source = files.get(srcFile);
    const target = files.get(dstFile);
    if (source === null || source === undefined) {
      if (explicit)
        throw new IdlcError({
          file: srcFile,
          message: `does not exist: ${team} has no app "${src.app}" in ${from}`,
          fix: 'check the app name, or deploy it to the source env first',
        });
      plan.skipped.push(`${src.app}: not in ${from}`);
      continue;
    }
    if (target === null || target === undefined) {
      throw new IdlcError({
        file: dstFile,
        message: `does not exist: ${team} has no app "${dst.app}" in ${to}, and promotion never creates one`,
        fix: `add the overlay in a reviewed PR (idlc new-app ${team} ${dst.app} --template … creates every env)`,
      });
    }
    const sourcePins = readPins(source, srcFile);
    const targetPins = readPins(target, dstFile);
    let text = target;
    const before = plan.changes.length;
    for (const pin of sourcePins) {
      if (!targetPins.some((t) => t.kind === pin.kind && t.name === pin.name)) {
        throw new IdlcError({
          file: dstFile,
          field: pin.kind === 'image' ? 'images' : 'helmCharts',
          message: `${from} pins ${pin.kind} "${pin.name}" but ${to} does not; promotion never adds a pin`,
          fix: `add the ${pin.kind === 'image' ? 'images' : 'helmCharts'} entry "${pin.name}" to ${dstFile} by hand in a reviewed PR`,
        });
      }
      try {
        const r = editScalars(text, editsFor(targetPins, requestFrom(pin), dstFile), dstFile);
        text = r.text;
        for (const e of r.edits) {
          plan.changes.push({
            ...dst,
            pin: pin.name,
            old: e.old,
            new: e.new,
            file: dstFile,
            source: { file: srcFile, line: pin.line },
          });
        }
      } catch (err) {
        if (!(err instanceof HeldPinError)) throw err;
        plan.held.push({ ref: dst as AppRef, message: err.message });
      }
    }
    if (text !== target) plan.additions.push({ path: dstFile, contents: text });
    else if (plan.changes.length === before) plan.unchanged.push(dst.app);
  }
  return plan;
}

/** The apps a promotion considers: the one named, or every app folder of the target env in `root`. */
export async function appsToPromote(root: string, r: PromotionRequest): Promise<string[]> {
  if (r.app !== 'all') return [r.app];
  const entries = await readdir(join(root, TEAMS_DIR, r.team, r.to), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && isValidAppName(e.name))
    .map((e) => e.name)
    .sort();
}
