import * as core from '@actions/core';
import { createGitHubClient } from '../../../src/github/client.ts';
import { formatProblem, IdlcError } from '../../../src/util/errors.ts';
import { detectSummary, parseMaxJobs, runDetect } from './run.ts';

/** Entry point: read inputs and env, call the logic, publish outputs. */
async function main(): Promise<void> {
  const { maxJobs, warning } = parseMaxJobs(core.getInput('max-jobs'));
  if (warning) core.warning(warning);
  const token = core.getInput('github-token');
  const [owner = '', repo = ''] = (process.env['GITHUB_REPOSITORY'] ?? '').split('/');
  const { detection, outputs } = await runDetect({
    root: core.getInput('root') || '.',
    trustedRoot: core.getInput('trusted-root') || undefined,
    applyRange: (core.getInput('apply-range') || 'false').toLowerCase() === 'true',
    github: token
      ? {
          repo: { owner, repo },
          gh: createGitHubClient({
            token,
            apiUrl: process.env['GITHUB_API_URL'],
            log: { debug: (m) => core.debug(m), info: (m) => core.info(m), warning: (m) => core.warning(m) },
          }).rest,
        }
      : undefined,
    maxJobs,
    driftSlices: Number(core.getInput('drift-slices') || '1'),
    stacks: core
      .getInput('stacks')
      .split(/[\s,]+/)
      .filter(Boolean),
    base: core.getInput('base') || undefined,
    head: core.getInput('head') || undefined,
    eventName: process.env['GITHUB_EVENT_NAME'] ?? '',
    eventPath: process.env['GITHUB_EVENT_PATH'],
  });
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  core.info(
    `${detection.range.description}: ${detection.affected.stacks.length} stacks in ${detection.ordered.waves.length} wave(s)`,
  );
  for (const r of detection.affected.removed) {
    core.warning(`${r.id} was ${r.status}${r.renamedTo ? ` to ${r.renamedTo}` : ''}: ${r.action}`);
  }
  if (process.env['GITHUB_STEP_SUMMARY']) await core.summary.addRaw(detectSummary(detection)).write();
}

main()
  .catch((err: unknown) => {
    if (err instanceof IdlcError) {
      for (const p of err.problems) {
        core.error(formatProblem(p), { file: p.file, startLine: p.line, startColumn: p.column });
      }
    }
    core.setFailed(err instanceof Error ? err.message : String(err));
  })
  // The wasm HCL parser's runtime keeps timers alive; leave as soon as output is flushed.
  .finally(() => process.stdout.write('', () => process.exit()));
