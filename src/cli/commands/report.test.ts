import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_MARKER } from '../../report/markers.ts';
import type { CliIO } from '../io.ts';
import { runCli } from '../main.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PLANS = join(ROOT, 'src', 'plan', 'testdata');
let repo: string;

/** A repository with the real registry, two stacks, and real plan JSON saved in them. */
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'idlc-report-cli-'));
  await copyFile(join(ROOT, 'idlc.yaml'), join(repo, 'idlc.yaml'));
  for (const dir of ['idlc/aws/environments/search/dev', 'idlc/aws/environments/platform/dev/cluster']) {
    await mkdir(join(repo, dir), { recursive: true });
    await writeFile(join(repo, dir, 'main.tf'), 'locals {}\n');
  }
  await copyFile(join(PLANS, 'create.show.json'), join(repo, 'idlc/aws/environments/search/dev/plan.json'));
  await copyFile(
    join(PLANS, 'replace.show.json'),
    join(repo, 'idlc/aws/environments/platform/dev/cluster/plan.json'),
  );
  await copyFile(join(PLANS, 'update.show.json'), join(repo, 'loose-plan.json'));
  // the same real plan as Windows PowerShell's `>` writes it: UTF-16 LE with a byte order mark
  const utf8 = await readFile(join(PLANS, 'create.show.json'), 'utf8');
  await writeFile(
    join(repo, 'idlc/aws/environments/search/dev/plan-utf16.json'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8, 'utf16le')]),
  );
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => out.push(s), err: (s) => err.push(s), cwd: repo, env: {} };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('idlc report', () => {
  it('refuses a UTF-16 plan file by naming its encoding and the fix, without echoing its bytes', async () => {
    const r = await cli('report', '--plan-json', 'idlc/aws/environments/search/dev/plan-utf16.json');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      'idlc: idlc/aws/environments/search/dev/plan-utf16.json is UTF-16 LE (byte order mark FF FE) text, not UTF-8; plan JSON must be UTF-8',
    );
    expect(r.err).toContain(
      'fix: write the plan JSON from a UTF-8 shell: `tofu show -json plan.tfplan > plan.json`',
    );
    expect(r.err).not.toContain('\u0000');
    expect(r.err).not.toContain('\ufffd');
  });

  it('renders the PR comment from plan JSON, taking each stack from the file’s folder', async () => {
    const r = await cli(
      'report',
      '--plan-json',
      'idlc/aws/environments/search/dev/plan.json',
      '--plan-json',
      'idlc/aws/environments/platform/dev/cluster/plan.json',
      '--out',
      'comment.md',
    );
    expect(r).toMatchObject({ code: 0, out: '' });
    expect(r.err).toMatch(/^wrote comment\.md \([\d,]+ characters\)$/);
    const md = await readFile(join(repo, 'comment.md'), 'utf8');
    expect(md.startsWith(PLAN_MARKER)).toBe(true);
    expect(md).toContain('### 🔴 idlc plan: 2 stacks planned · 2 with changes');
    expect(md).toContain('<code>aws/search/dev</code> · +7 &#126;0 -0');
    expect(md).toContain('<code>aws/platform/dev/cluster</code> · +0 &#126;0 -0 ±3');
  });

  it('takes --stack (id or folder) for a plan JSON kept elsewhere, and prints without --out', async () => {
    const r = await cli('report', '--plan-json', 'loose-plan.json', '--stack', 'aws/search/dev');
    expect(r.code).toBe(0);
    expect(r.out).toContain('<code>aws/search/dev</code> · +0 &#126;2 -0');
    const byDir = await cli(
      'report',
      '--plan-json',
      'loose-plan.json',
      '--stack',
      'idlc/aws/environments/search/dev',
    );
    expect(byDir.out).toBe(r.out);
  });

  it('renders from a results folder, as the action does, and as a job summary', async () => {
    const results = join(ROOT, 'src', 'report', 'testdata', 'results');
    const comment = await cli('report', '--results-dir', results);
    const summary = await cli('report', '--results-dir', results, '--format', 'summary');
    expect(comment.out).toContain('11 stacks planned');
    expect(summary.out.startsWith('### ')).toBe(true);
    expect(summary.out.length).toBeGreaterThan(comment.out.length * 0.5);
  });

  it('says what to do when the stack cannot be known or the input is wrong', async () => {
    const loose = await cli('report', '--plan-json', 'loose-plan.json');
    expect(loose.code).toBe(1);
    expect(loose.err).toContain('loose-plan.json: not inside a stack folder');
    expect(loose.err).toContain('pass --stack');
    expect((await cli('report')).err).toContain('pass --plan-json FILE');
    expect((await cli('report', '--plan-json', 'missing.json', '--stack', 'aws/search/dev')).err).toContain(
      'missing.json',
    );
    expect((await cli('report', '--plan-json', 'loose-plan.json', '--stack', 'aws/nope/dev')).err).toContain(
      'neither a stack id nor a stack folder',
    );
  });
});
