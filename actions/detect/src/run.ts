import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadRegistry } from '../../../src/config/load.ts';
import { applyRange, lastSuccessfulApply } from '../../../src/detect/apply-range.ts';
import { type Detection, detect } from '../../../src/detect/detect.ts';
import { type Range, rangeFromEvent } from '../../../src/detect/event.ts';
import { type Git, gitIn, resolveCommit, trackedHclFiles } from '../../../src/detect/git.ts';
import { GITHUB_MATRIX_LIMIT } from '../../../src/detect/matrix.ts';
import { discoverStacks } from '../../../src/discovery/stacks.ts';
import type { GitHubRequest } from '../../../src/github/request.ts';
import { warmUpHcl } from '../../../src/hcl/parse.ts';
import { UsageError } from '../../../src/util/errors.ts';

export interface DetectInputs {
  /** The checkout whose changes are detected (the PR's merge commit on pull requests). */
  root: string;
  /** The default branch's checkout: the registry comes from here (default: root). */
  trustedRoot?: string;
  /**
   * Apply runs (push to the default branch): cover every merge since the last successful apply
   * run, each stack entry listing its merges in order. Needs `github`.
   */
  applyRange?: boolean;
  github?: { gh: GitHubRequest; repo: { owner: string; repo: string } };
  maxJobs: number;
  driftSlices: number;
  /** Explicit stacks (ids or globs), overriding the event. */
  stacks: string[];
  base?: string;
  head?: string;
  eventName: string;
  eventPath?: string;
}

export interface DetectOutputs {
  'has-changes': string;
  stacks: string;
  matrix: string;
  'matrix-reviewed': string;
  waves: string;
  'wave-count': string;
  graph: string;
  removed: string;
  manifests: string;
  'policy-changed': string;
  'registry-changed': string;
}

/**
 * The `max-jobs` input: a whole number from 1; above GitHub's 256 jobs per matrix it is
 * clamped to 256 (stacks are then packed into batches, as the CLI does) with a warning.
 */
export function parseMaxJobs(input: string): { maxJobs: number; warning?: string } {
  const text = input.trim() || '200';
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `max-jobs must be a whole number from 1 to ${GITHUB_MATRIX_LIMIT}, got "${input}"`,
      `set max-jobs to at most ${GITHUB_MATRIX_LIMIT} (GitHub's limit on jobs in one matrix), or leave it out (200)`,
    );
  }
  if (n > GITHUB_MATRIX_LIMIT) {
    return {
      maxJobs: GITHUB_MATRIX_LIMIT,
      warning: `max-jobs ${n} is above GitHub's limit of ${GITHUB_MATRIX_LIMIT} jobs per matrix; using ${GITHUB_MATRIX_LIMIT} (stacks beyond that are packed into batches)`,
    };
  }
  return { maxJobs: n };
}

async function chooseRange(inputs: DetectInputs): Promise<Range> {
  const git = gitIn(inputs.root);
  if (inputs.stacks.length > 0) {
    const head = await resolveCommit(git, inputs.head || 'HEAD');
    return {
      mode: 'explicit',
      head,
      stacks: inputs.stacks,
      description: `requested: ${inputs.stacks.join(', ')}`,
    };
  }
  if (inputs.base) {
    const base = await resolveCommit(git, inputs.base);
    const head = await resolveCommit(git, inputs.head || 'HEAD');
    return { mode: 'diff', base, head, description: `${inputs.base}..${inputs.head || 'HEAD'}` };
  }
  if (!inputs.eventPath) {
    throw new UsageError('GITHUB_EVENT_PATH is not set', 'run inside GitHub Actions, or pass the base input');
  }
  const payload = JSON.parse(await readFile(inputs.eventPath, 'utf8'));
  return rangeFromEvent(git, inputs.eventName, payload, { driftSlices: inputs.driftSlices });
}

/** The detect action's logic: no @actions/core here, so it runs the same from tests and the CLI. */
export async function runDetect(
  inputs: DetectInputs,
): Promise<{ detection: Detection; outputs: DetectOutputs }> {
  warmUpHcl();
  const root = resolve(inputs.root);
  const loaded = await loadRegistry(root, undefined, {
    trustedRoot: inputs.trustedRoot && resolve(inputs.trustedRoot),
  });
  const git = gitIn(root);
  const tfFiles = await trackedHclFiles(git);
  const stacks = await discoverStacks(loaded, { tfFiles });
  let range: Range;
  let merges: Map<string, string[]> | undefined;
  if (inputs.applyRange) {
    const caughtUp = await catchUpRange(inputs, loaded.registry.github?.default_branch ?? 'main', git);
    range = caughtUp.range;
    merges = new Map();
    // Which stacks each merge touched, in merge order: the apply job applies each merged PR's
    // reviewed plan in turn.
    for (const sha of caughtUp.commits) {
      const parent = (await git(['rev-parse', `${sha}^1`])).trim();
      const one = await detect(
        loaded,
        stacks,
        git,
        { mode: 'diff', base: parent, head: sha, description: sha },
        { tfFiles },
      );
      for (const a of one.affected.stacks) merges.set(a.stack.id, [...(merges.get(a.stack.id) ?? []), sha]);
    }
  } else {
    range = await chooseRange({ ...inputs, root });
  }
  const d = await detect(loaded, stacks, git, range, { maxJobs: inputs.maxJobs, tfFiles, merges });
  const stackList = d.affected.stacks.map((a) => ({
    id: a.stack.id,
    dir: a.stack.dir,
    team: a.stack.team,
    env: a.stack.env,
    wave: d.ordered.wave.get(a.stack.id) ?? 0,
    reasons: a.reasons,
  }));
  return {
    detection: d,
    outputs: {
      'has-changes': String(
        stackList.length > 0 || d.affected.removed.length > 0 || d.affected.manifests.length > 0,
      ),
      stacks: JSON.stringify(stackList),
      matrix: JSON.stringify(d.fanOut.matrix),
      'matrix-reviewed': JSON.stringify(d.fanOut.reviewed),
      waves: JSON.stringify(d.fanOut.waves),
      'wave-count': String(d.ordered.waves.length),
      graph: d.graph,
      removed: JSON.stringify(d.affected.removed),
      manifests: JSON.stringify(d.affected.manifests),
      'policy-changed': String(d.affected.policyChanged),
      'registry-changed': String(d.affected.registryChanged),
    },
  };
}

async function catchUpRange(inputs: DetectInputs, defaultBranch: string, git: Git) {
  if (!inputs.github) {
    throw new UsageError(
      'apply-range needs the GitHub API',
      'pass github-token (actions: read) to the detect step',
    );
  }
  if (!inputs.eventPath)
    throw new UsageError('GITHUB_EVENT_PATH is not set', 'apply-range runs on push events');
  const payload = JSON.parse(await readFile(inputs.eventPath, 'utf8')) as { before?: string; after?: string };
  if (inputs.eventName !== 'push' || !payload.after) {
    throw new UsageError(`apply-range runs on push to the default branch, not on ${inputs.eventName}`);
  }
  const lastApplied = await lastSuccessfulApply(inputs.github.gh, inputs.github.repo, defaultBranch);
  return applyRange(git, { head: payload.after, before: payload.before, lastApplied });
}
