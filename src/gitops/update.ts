/**
 * gitops-update: set pins (image tag/digest, chart version) of apps in their env overlays,
 * as one commit through the compare-and-swap commit path. The same planning function serves
 * the CLI, which edits the working tree instead of committing.
 */
import type { Logger } from '../github/client.ts';
import { type AppRef, pinsPath } from '../sdlc/layout.ts';
import { IdlcError } from '../util/errors.ts';
import { commitWithRetry, type RetryPolicy } from './commit.ts';
import { type DeployChange, type DeploySource, deployMessage } from './message.ts';
import { applyPinRequest, type PinRequest } from './pins.ts';
import type { CreatedCommit, FileAddition, RepoApi } from './repo-api.ts';
import { HeldPinError } from './yaml-edit.ts';

export interface PinUpdate {
  ref: AppRef;
  request: PinRequest;
}

export interface HeldPin {
  ref: AppRef;
  message: string;
}

export interface PlannedUpdate {
  additions: FileAddition[];
  changes: DeployChange[];
  held: HeldPin[];
}

export type ReadFiles = (paths: string[]) => Promise<Map<string, string | null>>;

/**
 * New texts of the overlay files for `updates`, applied on what `read` returns. A missing
 * overlay, pin or key is an error (nothing is created); a held pin is left as it is and reported.
 */
export async function planPinUpdates(
  read: ReadFiles,
  updates: PinUpdate[],
  where = 'the branch',
): Promise<PlannedUpdate> {
  const paths = [...new Set(updates.map((u) => pinsPath(u.ref)))];
  const files = await read(paths);
  const texts = new Map<string, string>();
  const changes: DeployChange[] = [];
  const held: HeldPin[] = [];
  for (const u of updates) {
    const file = pinsPath(u.ref);
    const text = texts.get(file) ?? files.get(file);
    if (text === null || text === undefined) {
      throw new IdlcError({
        file,
        message: `does not exist on ${where}: team ${u.ref.team} has no app "${u.ref.app}" in env "${u.ref.env}"`,
        fix: `check team/env/app, or add the app first (idlc new-app ${u.ref.team} ${u.ref.app} --template …)`,
      });
    }
    try {
      const r = applyPinRequest(text, u.request, file);
      texts.set(file, r.text);
      for (const e of r.edits) {
        changes.push({ ...u.ref, pin: u.request.name, old: e.old, new: e.new, file });
      }
    } catch (err) {
      if (!(err instanceof HeldPinError)) throw err;
      held.push({ ref: u.ref, message: err.message });
    }
  }
  const additions = [...texts.entries()]
    .filter(([path, text]) => files.get(path) !== text)
    .map(([path, contents]) => ({ path, contents }));
  return { additions, changes, held };
}

export interface UpdateOutcome {
  changed: boolean;
  commit?: CreatedCommit;
  changes: DeployChange[];
  held: HeldPin[];
  attempts: number;
  /** The commit the change was computed on. */
  base: string;
}

/** Plan on the branch head and commit, re-planning on every refused attempt. */
export async function gitopsUpdate(o: {
  api: RepoApi;
  branch: string;
  updates: PinUpdate[];
  source: DeploySource;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
}): Promise<UpdateOutcome> {
  let planned: PlannedUpdate = { additions: [], changes: [], held: [] };
  const outcome = await commitWithRetry({
    api: o.api,
    branch: o.branch,
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.log ? { log: o.log } : {}),
    compute: async (read, head) => {
      planned = await planPinUpdates(read, o.updates, `${o.branch} at ${head.slice(0, 12)}`);
      if (planned.additions.length === 0) return null;
      return { additions: planned.additions, ...deployMessage(planned.changes, o.source) };
    },
  });
  return {
    changed: outcome.changed,
    ...(outcome.commit ? { commit: outcome.commit } : {}),
    changes: outcome.changed ? planned.changes : [],
    held: planned.held,
    attempts: outcome.attempts,
    base: outcome.base,
  };
}
