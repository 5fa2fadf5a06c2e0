import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../sandbox/main.ts';
import { runCli } from '../main.ts';
import { sandboxArgs } from './sandbox.ts';

describe('idlc sandbox', () => {
  it('passes its options to the sandbox bundle, which reads them back', () => {
    const args = sandboxArgs('demo', {
      out: 'out/x',
      withholdApproval: ['search-prod'],
      promote: 'search/rag',
      jobEnv: ['TF_LOG=debug', 'A=b=c'],
      keep: true,
    });
    expect(parseArgs(args)).toEqual({
      command: 'demo',
      out: 'out/x',
      withhold: ['search-prod'],
      keep: true,
      jobEnv: { TF_LOG: 'debug', A: 'b=c' },
      promote: { team: 'search', app: 'rag' },
    });
    expect(
      parseArgs(sandboxArgs('demo', { out: 'o', withholdApproval: [], promote: false, jobEnv: [] })),
    ).toEqual({ command: 'demo', out: 'o', withhold: [], keep: false, jobEnv: {} });
  });

  it('is listed in the help', async () => {
    let text = '';
    const code = await runCli(['--help'], {
      out: (s) => (text += s),
      err: (s) => (text += s),
      cwd: '.',
      env: {},
    });
    expect(code).toBe(0);
    expect(text).toMatch(/sandbox \[options\] \[command\]\s+Run the real workflow files with act/);
  });
});
