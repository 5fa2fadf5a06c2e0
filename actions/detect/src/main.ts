import * as core from '@actions/core';
import {
  booleanInput,
  repository,
  runAction,
  summaryMarkdown,
  summaryTable,
} from '../../../src/action/edge.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { fence, text } from '../../../src/report/escape.ts';
import { parseMaxJobs, runDetect } from './run.ts';

/** Entry point: read inputs and env, call the logic, publish outputs. */
runAction(async () => {
  const env = process.env;
  const { maxJobs, warning } = parseMaxJobs(core.getInput('max-jobs'));
  if (warning) core.warning(warning);
  const token = core.getInput('github-token');
  const applyRange = booleanInput('apply-range', false);
  const { detection, outputs } = await runDetect({
    root: core.getInput('root') || '.',
    trustedRoot: core.getInput('trusted-root') || undefined,
    applyRange,
    // Only apply-range reads the Actions API.
    github:
      token && applyRange
        ? {
            repo: repository(env),
            gh: createGitHubClient({
              token,
              apiUrl: env['GITHUB_API_URL'],
              log: {
                debug: (m) => core.debug(m),
                info: (m) => core.info(m),
                warning: (m) => core.warning(m),
              },
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
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    eventPath: env['GITHUB_EVENT_PATH'],
  });
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  core.info(
    `${detection.range.description}: ${detection.affected.stacks.length} stacks in ${detection.ordered.waves.length} wave(s)`,
  );
  for (const r of detection.affected.removed) {
    core.warning(`${r.id} was ${r.status}${r.renamedTo ? ` to ${r.renamedTo}` : ''}: ${r.action}`);
  }
  const { stacks, removed, notes } = detection.affected;
  await summaryTable(
    env,
    `idlc detect — ${detection.range.description}`,
    ['wave', 'stack', 'why'],
    stacks.map((a) => [String(detection.ordered.wave.get(a.stack.id) ?? 0), a.stack.id, a.reasons[0] ?? '']),
  );
  const more = [
    ...(stacks.length > 0 ? [fence(detection.graph, 'mermaid')] : ['No stacks affected.']),
    ...removed.map((r) => `> **${r.status}:** ${text(r.id)} — ${text(r.action)}`),
    ...notes.map((n) => `> ${text(n)}`),
  ];
  await summaryMarkdown(env, `${more.join('\n\n')}\n`);
});
