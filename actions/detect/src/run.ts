import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadRegistry } from '../../../src/config/load.ts';
import { type Detection, detect } from '../../../src/detect/detect.ts';
import { type Range, rangeFromEvent } from '../../../src/detect/event.ts';
import { gitIn, resolveCommit, trackedHclFiles } from '../../../src/detect/git.ts';
import { GITHUB_MATRIX_LIMIT } from '../../../src/detect/matrix.ts';
import { discoverStacks } from '../../../src/discovery/stacks.ts';
import { warmUpHcl } from '../../../src/hcl/parse.ts';
import { UsageError } from '../../../src/util/errors.ts';

export interface DetectInputs {
  root: string;
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
  const range = await chooseRange({ ...inputs, root });
  const loaded = await loadRegistry(root);
  const git = gitIn(root);
  const tfFiles = await trackedHclFiles(git);
  const stacks = await discoverStacks(loaded, { tfFiles });
  const d = await detect(loaded, stacks, git, range, { maxJobs: inputs.maxJobs, tfFiles });
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

/** Markdown for the job summary. */
export function detectSummary(d: Detection): string {
  const lines = [`### idlc detect — ${d.range.description}`, ''];
  if (d.affected.stacks.length === 0) lines.push('No stacks affected.');
  else {
    lines.push('| wave | stack | why |', '| --- | --- | --- |');
    for (const a of d.affected.stacks) {
      lines.push(
        `| ${d.ordered.wave.get(a.stack.id) ?? 0} | \`${a.stack.id}\` | ${a.reasons[0]?.replaceAll('|', '\\|') ?? ''} |`,
      );
    }
    lines.push('', '```mermaid', d.graph, '```');
  }
  for (const r of d.affected.removed) lines.push('', `> **${r.status}:** \`${r.id}\` — ${r.action}`);
  for (const n of d.affected.notes) lines.push('', `> ${n}`);
  return `${lines.join('\n')}\n`;
}
