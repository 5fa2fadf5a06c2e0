import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../io.ts';
import { runCli } from '../main.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let repo: string;

/** A repository with the real registry and policies and two stack folders. */
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'idlc-policy-cli-'));
  await copyFile(join(ROOT, 'idlc.yaml'), join(repo, 'idlc.yaml'));
  await mkdir(join(repo, 'policy'), { recursive: true });
  // copies, not symlinks: opa runs in the engine sandbox, which sees only the repository
  for (const set of ['terraform', 'kubernetes'])
    await cp(join(ROOT, 'policy', set), join(repo, 'policy', set), { recursive: true });
  for (const dir of ['idlc/aws/environments/search/prod', 'idlc/aws/environments/search/dev']) {
    await mkdir(join(repo, dir), { recursive: true });
    await writeFile(join(repo, dir, 'main.tf'), 'locals {}\n');
  }
  const plan = await readFile(join(ROOT, 'policy/terraform/testdata/protected/plan.json'), 'utf8');
  await writeFile(join(repo, 'idlc/aws/environments/search/prod/plan.json'), plan);
  await writeFile(join(repo, 'outside-plan.json'), plan);
  // a real tofu plan of built-in resources only: nothing in it breaks a rule
  await copyFile(
    join(ROOT, 'policy/terraform/testdata/envelope/tofu-show.json'),
    join(repo, 'idlc/aws/environments/search/dev/plan.json'),
  );
  // the same denied plan as Windows PowerShell's `>` writes it: UTF-16 LE with a byte order mark
  await writeFile(
    join(repo, 'idlc/aws/environments/search/prod/plan-utf16.json'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(plan, 'utf16le')]),
  );
  await writeFile(
    join(repo, 'policy/waivers.yaml'),
    `waivers:
  - rule: protected.*
    stack: aws/search/prod
    resource: aws_s3_bucket.*
    reason: Archive and scratch buckets are retired in this change (CHG-42).
    owner: "@acme/search"
    expires: 2099-01-01
`,
  );
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => out.push(s), err: (s) => err.push(s), cwd: repo, env: {} };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('idlc policy <plan.json>', () => {
  it('infers the stack from the folder, prints rule and address of each finding, exits 1 on deny', async () => {
    const r = await run('policy', 'idlc/aws/environments/search/prod/plan.json');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^DENY {3}protected\.stateful_destroy {2}aws_db_instance\.replica$/m);
    expect(r.out).toMatch(/^WAIVED protected\.stateful_destroy {2}aws_s3_bucket\.archive$/m);
    expect(r.out).toContain('waived by policy/waivers.yaml:2 until 2099-01-01 (@acme/search)');
    expect(r.out).toMatch(/aws\/search\/prod: \d+ denied, \d+ waived, 0 warnings — FAIL$/);
  });

  it('--json gives the structured findings', async () => {
    const r = await run('policy', 'idlc/aws/environments/search/prod/plan.json', '--json');
    const body = JSON.parse(r.out);
    expect(body).toMatchObject({
      target: 'idlc/aws/environments/search/prod/plan.json',
      stack: 'aws/search/prod',
    });
    expect(body.denied).toBe(true);
    expect(body.findings).toContainEqual(
      expect.objectContaining({
        status: 'waived',
        rule: 'protected.deletion_protection',
        resource: 'aws_s3_bucket.scratch',
      }),
    );
  });

  it('requires --stack for a plan outside any stack folder, and accepts an id or a folder', async () => {
    const missing = await run('policy', 'outside-plan.json');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot tell which stack outside-plan\.json belongs to[\s\S]*--stack/);
    const dev = await run('policy', 'outside-plan.json', '--stack', 'aws/search/dev', '--json');
    const body = JSON.parse(dev.out);
    expect(body.stack).toBe('aws/search/dev');
    // dev is not protected: the protected-env rules stay quiet there.
    expect(body.findings.filter((f: { rule: string }) => f.rule.startsWith('protected.'))).toEqual([]);
    const byDir = await run(
      'policy',
      'outside-plan.json',
      '--stack',
      'idlc/aws/environments/search/dev',
      '--json',
    );
    expect(JSON.parse(byDir.out).stack).toBe('aws/search/dev');
    const wrong = await run('policy', 'outside-plan.json', '--stack', 'aws/nope/prod');
    expect(wrong.err).toMatch(/neither a stack id nor a stack folder/);
  });

  it('--approval destroy-approved lets an approved destroy through as a warning', async () => {
    const r = await run(
      'policy',
      'outside-plan.json',
      '--stack',
      'aws/search/prod',
      '--approval',
      'destroy-approved',
      '--json',
    );
    const body = JSON.parse(r.out);
    expect(body.findings).toContainEqual(
      expect.objectContaining({
        status: 'warn',
        rule: 'protected.stateful_destroy',
        resource: 'aws_db_instance.replica',
      }),
    );
  });

  it('a malformed waiver file fails with file:line:field', async () => {
    const file = join(repo, 'policy/waivers.yaml');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('expires: 2099-01-01', 'expires: soon'));
    try {
      const r = await run('policy', 'idlc/aws/environments/search/prod/plan.json');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /policy\/waivers\.yaml:7: waivers\.0\.expires: expected a date written YYYY-MM-DD/,
      );
    } finally {
      await writeFile(file, good);
    }
  });
});

describe('idlc policy exit status: 0 pass, 1 denied, 2 could not evaluate', () => {
  it('0 when nothing denies, 1 when something does', async () => {
    const pass = await run('policy', 'idlc/aws/environments/search/dev/plan.json');
    expect(pass.out).toMatch(/aws\/search\/dev: 0 denied, 0 waived, \d+ warnings — pass$/);
    expect(pass.code).toBe(0);
    const denied = await run('policy', 'idlc/aws/environments/search/prod/plan.json');
    expect(denied.code).toBe(1);
  });

  it('2 for a plan that is not UTF-8, naming the encoding and the fix, never its bytes', async () => {
    const r = await run('policy', 'idlc/aws/environments/search/prod/plan-utf16.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'idlc: could not evaluate the policies: idlc/aws/environments/search/prod/plan-utf16.json is UTF-16 LE (byte order mark FF FE) text, not UTF-8',
    );
    expect(r.err).toContain('tofu show -json plan.tfplan > plan.json');
    expect(r.err).not.toContain('\u0000');
    expect(r.out).toBe('');
  });

  it('2 when OPA cannot evaluate the policies (a Rego error), never 1', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'idlc-policy-broken-'));
    try {
      await copyFile(join(repo, 'idlc.yaml'), join(broken, 'idlc.yaml'));
      await cp(join(ROOT, 'policy', 'terraform'), join(broken, 'policy', 'terraform'), { recursive: true });
      await writeFile(
        join(broken, 'policy/terraform/tags/broken.rego'),
        'package terraform.tags\n\ndeny contains x if {\n',
      );
      await mkdir(join(broken, 'idlc/aws/environments/search/prod'), { recursive: true });
      await writeFile(join(broken, 'idlc/aws/environments/search/prod/main.tf'), 'locals {}\n');
      await copyFile(
        join(repo, 'idlc/aws/environments/search/prod/plan.json'),
        join(broken, 'idlc/aws/environments/search/prod/plan.json'),
      );
      const r = await run(
        '--root',
        broken,
        'policy',
        join(broken, 'idlc/aws/environments/search/prod/plan.json'),
      );
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^idlc: could not evaluate the policies: /);
      expect(r.err).toContain('broken.rego');
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('2 for a usage error of the command; the help states the exit status', async () => {
    const r = await run('policy', 'idlc/aws/environments/search/prod/plan.json', '--no-such-option');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--no-such-option'");
    expect((await run('policy')).code).toBe(2);
    const help = await run('policy', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Exit status:');
    expect(help.out).toContain('0  pass: no finding denies');
    expect(help.out).toContain('1  denied: at least one finding denies');
    expect(help.out).toContain('2  could not evaluate');
  });
});

describe('idlc policy <manifests-dir>', () => {
  it('reads every YAML document, takes team/env from sdlc/teams/<team>/<env>/ and names Kind/namespace/name', async () => {
    const dir = join(repo, 'sdlc/teams/search/dev/app');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'all.yaml'),
      `apiVersion: v1
kind: Namespace
metadata:
  name: search
  labels: { team: search, cost-center: cc-2100 }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: search
  labels: { team: assistant, cost-center: cc-2100 }
data: {}
`,
    );
    const r = await run('policy', 'sdlc/teams/search/dev');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^DENY {3}labels\.mismatch {2}ConfigMap\/search\/settings$/m);
    expect(r.out).toMatch(/^DENY {3}network\.default_deny {2}Namespace\/search$/m);
    const json = JSON.parse((await run('policy', 'sdlc/teams/search/dev', '--json')).out);
    expect(json).toMatchObject({ team: 'search', env: 'dev', objects: 2 });
  });

  it('warns that an empty folder checked nothing', async () => {
    await mkdir(join(repo, 'sdlc/teams/search/staging'), { recursive: true });
    const r = await run('policy', 'sdlc/teams/search/staging');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/no Kubernetes objects found/);
  });

  it('a missing target cannot be evaluated (exit 2)', async () => {
    const r = await run('policy', 'nope.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.json: no such file or folder/);
  });
});
