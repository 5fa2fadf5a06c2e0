import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../io.ts';
import { runCli } from '../main.ts';
import { parseSetArg } from './gitops.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let repo: string;

const overlay = (tag: string, hold = '') =>
  `# search/ENV/api\nimages:\n  - name: api\n    newName: 200000000001.dkr.ecr.eu-west-1.amazonaws.com/search/api\n    newTag: "${tag}"${hold}\n`;

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'idlc-gitops-cli-'));
  await copyFile(join(ROOT, 'idlc.yaml'), join(repo, 'idlc.yaml'));
  for (const [env, tag] of [
    ['dev', '1.5.0'],
    ['staging', '1.4.2'],
    ['prod', '1.4.0'],
  ] as const) {
    await mkdir(join(repo, `sdlc/teams/search/${env}/api`), { recursive: true });
    await writeFile(
      join(repo, `sdlc/teams/search/${env}/api/kustomization.yaml`),
      overlay(tag).replace('ENV', env),
    );
  }
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => out.push(s), err: (s) => err.push(s), cwd: repo, env: process.env };
  const code = await runCli(['--root', repo, ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const read = (env: string) => readFile(join(repo, `sdlc/teams/search/${env}/api/kustomization.yaml`), 'utf8');

describe('idlc gitops set / idlc promote (the actions’ core on the working tree)', () => {
  it('parses image and chart assignments', () => {
    expect(parseSetArg('image=api:1.5.0', 'x')).toEqual({ kind: 'image', name: 'api', tag: '1.5.0' });
    expect(parseSetArg('image=1.5.0', 'api')).toEqual({ kind: 'image', name: 'api', tag: '1.5.0' });
    expect(
      parseSetArg(
        `image=200000000001.dkr.ecr.eu-west-1.amazonaws.com/search/api@sha256:${'a'.repeat(64)}`,
        'x',
      ),
    ).toEqual({
      kind: 'image',
      name: 'api',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(parseSetArg('chart=vllm:0.10.0', 'x')).toEqual({ kind: 'chart', name: 'vllm', version: '0.10.0' });
  });

  it('gitops set edits the one scalar and prints the deploy commit message', async () => {
    const r = await cli('gitops', 'set', 'search/dev/api', 'image=api:1.6.0', '--source-pr', '42');
    expect(r.code).toBe(0);
    expect(await read('dev')).toBe(overlay('1.6.0').replace('ENV', 'dev'));
    expect(r.out).toContain('chore(deploy): search/api dev 1.5.0 -> 1.6.0');
    expect(r.out).toContain('Source-PR: 42');
    const missing = await cli('gitops', 'set', 'search/dev/nope', 'image=1.0.0');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('team search has no app "nope" in env "dev"');
  });

  it('promote: dry run shows the table and writes nothing; order violations fail; a run writes the target', async () => {
    const dry = await cli('promote', 'search', '--from', 'dev', '--to', 'staging', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(
      /search\/api\s+api\s+1\.4\.2\s+1\.6\.0\s+sdlc\/teams\/search\/dev\/api\/kustomization\.yaml:5/,
    );
    expect(await read('staging')).toBe(overlay('1.4.2').replace('ENV', 'staging'));
    const skip = await cli('promote', 'search', 'api', '--from', 'dev', '--to', 'prod');
    expect(skip.code).toBe(1);
    expect(skip.err).toContain('prod cannot be promoted from dev');
    const real = await cli('promote', 'search', 'api', '--from', 'dev', '--to', 'staging');
    expect(real.code).toBe(0);
    expect(await read('staging')).toBe(overlay('1.6.0').replace('ENV', 'staging'));
    const prod = await cli('promote', 'search', 'api', '--from', 'staging', '--to', 'prod');
    expect(prod.out).toContain('prod is protected: commit this on a branch and open a PR');
  });
});
