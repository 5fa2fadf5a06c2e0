import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  env: string;
}

/** Parse GITHUB_OUTPUT as the runner does: name=value lines and name<<DELIM heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] as string);
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/**
 * Run a bundled action exactly as the runner would: `node dist/index.cjs` with INPUT_* env,
 * GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STEP_SUMMARY files and the event payload on disk.
 */
export async function runAction(
  actionDir: string,
  opts: {
    inputs: Record<string, string>;
    event?: { name: string; payload: unknown };
    cwd: string;
    env?: Record<string, string>;
  },
): Promise<ActionRun> {
  const work = mkdtempSync(join(tmpdir(), 'idlc-runner-'));
  const files = {
    output: join(work, 'output'),
    env: join(work, 'env'),
    summary: join(work, 'summary'),
    event: join(work, 'event.json'),
  };
  for (const f of [files.output, files.env, files.summary]) writeFileSync(f, '');
  writeFileSync(files.event, JSON.stringify(opts.event?.payload ?? {}));
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    IDLC_TOOLS_DIR: process.env['IDLC_TOOLS_DIR'] ?? join(process.env['HOME'] ?? '', '.cache/idlc/tools'),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: opts.event?.name ?? 'workflow_dispatch',
    GITHUB_WORKSPACE: opts.cwd,
    GITHUB_REPOSITORY: 'acme/platform',
    GITHUB_RUN_ID: '4242',
    ...opts.env,
  };
  for (const [k, v] of Object.entries(opts.inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const child = spawn(process.execPath, [join(actionDir, 'dist', 'index.cjs')], { cwd: opts.cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    env: readFileSync(files.env, 'utf8'),
  };
}

/** A real webhook payload from @octokit/webhooks-examples, with our shas put in. */
export function webhookExample(event: string, action?: string): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const all = require('@octokit/webhooks-examples/api.github.com/index.json') as {
    name: string;
    examples: Record<string, unknown>[];
  }[];
  const ex = all.find((e) => e.name === event)?.examples.find((x) => !action || x['action'] === action);
  if (!ex) throw new Error(`no ${event}/${action} example in @octokit/webhooks-examples`);
  return structuredClone(ex);
}
