// idlc setup-github and idlc doctor --github as a person runs them, against the GitHub double
// served as GitHub Enterprise Server (GITHUB_API_URL=https://HOST/api/v3) with strict tokens.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../../../test/support/github-double/index.ts';
import { runCli } from '../main.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function setup() {
  const gh = await startGitHubDouble({
    owner: 'acme',
    repo: 'platform',
    strictTokens: true,
    enterprise: true,
  });
  cleanup.push(() => gh.close());
  for (const slug of ['platform', 'sre', 'search']) gh.state.addTeam({ slug });
  const root = mkdtempSync(join(tmpdir(), 'idlc-setup-github-'));
  cleanup.push(() => rmSync(root, { recursive: true, force: true }));
  copyFileSync(
    new URL('../../github/testdata/settings-registry.yaml', import.meta.url),
    join(root, 'idlc.yaml'),
  );
  const admin = gh.issueToken({ kind: 'user', login: 'root', role: 'admin' });
  return { gh, root, admin };
}

async function idlc(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    cwd: '/',
    env: { PATH: process.env['PATH'] ?? '', IDLC_ENGINE_SANDBOX: 'off', ...env },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const writes = (gh: GitHubDouble) => gh.requests.filter((r) => r.method !== 'GET');

describe('idlc setup-github', () => {
  it('plans with --dry-run, applies, leaves doctor --github clean, and doctor names what changed behind its back', async () => {
    const { gh, root, admin } = await setup();
    const env = { GH_TOKEN: admin, GITHUB_API_URL: gh.url };

    const dry = await idlc(['--root', root, 'setup-github', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`idlc setup-github: acme/platform (${gh.url}) — dry run`);
    expect(dry.out).toContain(
      '  + environment search-prod: create (apply search/prod (protected): reviewers @acme/search, no self-review, main only)',
    );
    expect(dry.out).toContain(
      '  + environment search-prod-plan: create (plan review search/prod: reviewers @acme/search, no self-review, any branch)',
    );
    expect(dry.out).toContain(
      '      subject claim keys: the default subject (want repo, context, job_workflow_ref)',
    );
    expect(dry.out).toContain('6 setting(s) would change; nothing was changed (--dry-run)');
    expect(writes(gh)).toEqual([]);

    const applied = await idlc(['--root', root, 'setup-github'], env);
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('6 setting(s) changed');
    expect(gh.requests.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);

    const clean = await idlc(['--root', root, 'doctor', '--no-tools', '--github'], env);
    expect(clean.out).toMatch(/✓ +github environment search-prod +apply search\/prod \(protected\)/);
    expect(clean.out).toMatch(/✓ +github ruleset "idlc: default branch"/);
    expect(clean.out).not.toMatch(/✗ +github/);

    gh.state.settings.environments.get('search-prod')?.reviewers.splice(0);
    const drifted = await idlc(['--root', root, 'doctor', '--no-tools', '--github'], env);
    expect(drifted.code).toBe(1);
    expect(drifted.out).toMatch(
      /✗ +github environment search-prod +required reviewers: none \(want search\) +idlc setup-github \(with a repository admin’s token\)/,
    );

    const before = writes(gh).length;
    const fixed = await idlc(['--root', root, 'setup-github'], env);
    expect(fixed.out).toContain('1 setting(s) changed');
    expect(
      writes(gh)
        .slice(before)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual(['PUT /api/v3/repos/acme/platform/environments/search-prod']);
  });

  it('reads the token from --token-env, and says what to do without one or with a non-admin one', async () => {
    const { gh, root } = await setup();
    const none = await idlc(['--root', root, 'setup-github'], { GITHUB_API_URL: gh.url });
    expect(none.code).toBe(1);
    expect(none.err).toContain('no GitHub token: GH_TOKEN and GITHUB_TOKEN are empty');

    const writer = gh.issueToken({ kind: 'user', login: 'bob', role: 'write' });
    const refused = await idlc(['--root', root, 'setup-github', '--token-env', 'IDLC_ADMIN'], {
      IDLC_ADMIN: writer,
      GITHUB_API_URL: gh.url,
    });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      'Actions workflow permissions: GET /repos/acme/platform/actions/permissions/workflow answered 403 (Must have admin rights to Repository.)',
    );
    expect(writes(gh)).toEqual([]);
  });
});
