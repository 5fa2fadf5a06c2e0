import { createHash } from 'node:crypto';
import { minimatch } from 'minimatch';
import type { LoadedRegistry } from '../config/load.ts';
import type { Stack } from '../discovery/stacks.ts';
import { UsageError } from '../util/errors.ts';
import { type AffectedResult, type AffectedStack, computeAffected } from './affected.ts';
import type { Range } from './event.ts';
import { allFiles, diffFiles, type Git } from './git.ts';
import { type FanOut, fanOut, mermaidGraph } from './matrix.ts';
import { dependencyGraph, type Ordered, orderStacks } from './order.ts';

export interface Detection {
  range: Range;
  affected: AffectedResult;
  ordered: Ordered;
  fanOut: FanOut;
  graph: string;
}

export interface DetectOptions {
  /** Tracked HCL files at head, when the caller listed them already (see trackedHclFiles). */
  tfFiles?: string[];
  /** Jobs per matrix before stacks are packed several to a job (≤ 256). */
  maxJobs?: number;
  /** Apply runs: per stack id, the merge commits to apply (see apply-range.ts). */
  merges?: Map<string, string[]>;
}

function sliceOf(stacks: Stack[], index: number, count: number): Stack[] {
  // Stable assignment by hash of the id: adding a stack does not reshuffle the others.
  return stacks.filter((s) => {
    const h = createHash('sha1').update(s.id).digest().readUInt32BE(0);
    return h % count === index;
  });
}

/** Run change detection end to end: files → stacks → order → matrix. */
export async function detect(
  loaded: LoadedRegistry,
  stacks: Stack[],
  git: Git,
  range: Range,
  opts: DetectOptions = {},
): Promise<Detection> {
  let affected: AffectedResult;
  if (range.mode === 'diff') {
    const files = await diffFiles(git, range.base, range.head);
    affected = await computeAffected({
      loaded,
      stacks,
      git,
      base: range.base,
      head: range.head,
      files,
      tfFiles: opts.tfFiles,
    });
  } else {
    let chosen: Stack[];
    let reason: string;
    if (range.mode === 'explicit') {
      chosen = stacks.filter((s) =>
        range.stacks.some((g) => s.id === g || s.dir === g || minimatch(s.id, g)),
      );
      const unmatched = range.stacks.filter(
        (g) => !stacks.some((s) => s.id === g || s.dir === g || minimatch(s.id, g)),
      );
      if (unmatched.length > 0) {
        throw new UsageError(
          `no stack matches ${unmatched.map((u) => `"${u}"`).join(', ')}`,
          'use stack ids as printed by `idlc stacks` (e.g. aws/search/dev) or globs (aws/*/dev)',
        );
      }
      reason = 'requested explicitly';
    } else {
      chosen = range.slice ? sliceOf(stacks, range.slice.index, range.slice.count) : stacks;
      reason = range.description;
    }
    const files = range.mode === 'all' && !range.slice ? await allFiles(git, range.head).catch(() => []) : [];
    affected = {
      files,
      stacks: chosen.map((stack): AffectedStack => ({ stack, reasons: [reason] })),
      removed: [],
      manifests: [],
      policyChanged: false,
      registryChanged: false,
      allStacks: range.mode === 'all' && !range.slice,
      notes: [],
    };
  }
  const graph = dependencyGraph(loaded.registry, stacks);
  const ordered = orderStacks(
    graph,
    affected.stacks.map((a) => a.stack.id),
  );
  return {
    range,
    affected,
    ordered,
    fanOut: fanOut(
      affected.stacks.map((a) => a.stack),
      ordered,
      opts.maxJobs ?? 200,
      opts.merges,
    ),
    graph: mermaidGraph(ordered),
  };
}
