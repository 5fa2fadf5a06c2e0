import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY_YAML, stackFiles } from '../../test/support/registry-fixture.ts';
import { runCli } from '../cli/main.ts';
import { loadRegistry } from '../config/load.ts';
import { IdlcError } from '../util/errors.ts';
import { StackLocator } from './locate.ts';
import { lintStack } from './stack-lint.ts';
import { discoverStacks } from './stacks.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'idlc-disc-'));
  dirs.push(root);
  for (const [p, c] of Object.entries({ 'idlc.yaml': REGISTRY_YAML, ...files })) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  return root;
}

const E = 'idlc/aws/environments';

async function cli(root: string, ...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['--root', root, ...args], {
    out: (s) => (out += `${s}\n`),
    err: (s) => (err += `${s}\n`),
    cwd: root,
    env: process.env,
  });
  return { code, out, err };
}

describe('discoverStacks', () => {
  it('joins each team/env[/stack] folder with its registry entry', async () => {
    const root = repo({
      ...stackFiles(`${E}/search/dev`),
      ...stackFiles(`${E}/platform/dev/network`),
      ...stackFiles(`${E}/platform/dev/cluster`),
      [`${E}/search/README.md`]: '# search\n',
    });
    const stacks = await discoverStacks(await loadRegistry(root));
    expect(stacks.map((s) => [s.id, s.dir, s.target.accountId, s.target.state.key])).toEqual([
      [
        'aws/platform/dev/cluster',
        `${E}/platform/dev/cluster`,
        '100000000001',
        'dev/cluster/terraform.tfstate',
      ],
      [
        'aws/platform/dev/network',
        `${E}/platform/dev/network`,
        '100000000001',
        'dev/network/terraform.tfstate',
      ],
      ['aws/search/dev', `${E}/search/dev`, '200000000001', 'dev/main/terraform.tfstate'],
    ]);
    const locator = new StackLocator(stacks);
    const find = (file: string) => locator.ofFile(file);
    expect(find(`${E}/platform/dev/network/main.tf`)?.id).toBe('aws/platform/dev/network');
    expect(find(`${E}/search/dev/sub/x.json`)?.id).toBe('aws/search/dev');
    expect(find('idlc/aws/modules/x/main.tf')).toBeUndefined();
  });

  it('a folder for an unknown team is an error, not a skip', async () => {
    const root = repo({ ...stackFiles(`${E}/serch/dev`), ...stackFiles(`${E}/search/dev`) });
    const err = await discoverStacks(await loadRegistry(root)).catch((e) => e);
    expect(err).toBeInstanceOf(IdlcError);
    expect(err.message).toContain(`${E}/serch: folder for team "serch", which idlc.yaml does not declare`);
    expect(err.message).toContain(
      'fix: add teams.serch to idlc.yaml (idlc new-team serch) or remove the folder',
    );
  });

  it('an env the team does not have, or an undeclared env, is an error', async () => {
    const root = repo({ ...stackFiles(`${E}/assistant/staging`), ...stackFiles(`${E}/search/qa`) });
    const err = (await discoverStacks(await loadRegistry(root)).catch((e) => e)) as IdlcError;
    expect(err.message).toContain(
      `${E}/assistant/staging: team "assistant" has no environment "staging" in idlc.yaml`,
    );
    expect(err.message).toContain(`${E}/search/qa: environment "qa" is not declared in idlc.yaml`);
  });
});

describe('lintStack', () => {
  it('refuses two stacks that would share one state object (a sub-stack named main beside the env root)', async () => {
    const root = repo({
      ...stackFiles(`${E}/search/dev`),
      ...stackFiles(`${E}/search/dev/main`),
    });
    await expect(discoverStacks(await loadRegistry(root))).rejects.toThrow(
      /stacks aws\/search\/dev and aws\/search\/dev\/main would share the state object s3:\/\/idlc-tfstate-search-200000000001\/dev\/main\/terraform\.tfstate/,
    );
  });

  it('rejects a stack that hard-codes its own backend bucket, with file and line', async () => {
    const root = repo({
      [`${E}/search/dev/versions.tf`]:
        'terraform {\n  backend "s3" {\n    bucket = "someone-elses-bucket"\n  }\n}\n',
      [`${E}/search/dev/main.tf`]: 'provider "aws" {\n  allowed_account_ids = ["200000000001"]\n}\n',
    });
    const [stack] = await discoverStacks(await loadRegistry(root));
    const lint = await lintStack(root, stack!);
    expect(lint.problems.map((p) => `${p.file}:${p.line}: ${p.field}: ${p.message}`)).toEqual([
      `${E}/search/dev/versions.tf:3: terraform.backend.s3.bucket: the stack sets its own backend bucket; state location comes from idlc.yaml`,
    ]);
  });

  it('reads .tf.json and *_override.tf files too: a backend or provider credential there is refused', async () => {
    const root = repo({
      [`${E}/search/dev/versions.tf`]: 'terraform {\n  backend "s3" {}\n}\n',
      [`${E}/search/dev/main.tf`]: 'provider "aws" {\n  allowed_account_ids = ["200000000001"]\n}\n',
      [`${E}/search/dev/steal.tf.json`]: JSON.stringify({
        terraform: {
          backend: {
            s3: { bucket: 'idlc-tfstate-assistant-300000000001', key: 'dev/main/terraform.tfstate' },
          },
        },
        provider: {
          aws: [{ alias: 'other', assume_role: { role_arn: 'arn:aws:iam::300000000001:role/x' } }],
        },
      }),
      [`${E}/search/dev/backend_override.tf`]:
        'terraform {\n  backend "s3" {\n    region = "us-east-1"\n  }\n}\n',
    });
    const [stack] = await discoverStacks(await loadRegistry(root));
    const lint = await lintStack(root, stack!);
    expect(lint.problems.map((p) => `${p.file}: ${p.field}`)).toEqual([
      `${E}/search/dev/backend_override.tf: terraform.backend.s3.region`,
      `${E}/search/dev/steal.tf.json: terraform.backend.s3.bucket`,
      `${E}/search/dev/steal.tf.json: terraform.backend.s3.key`,
      `${E}/search/dev/steal.tf.json: provider.aws`,
    ]);
  });

  it('rejects a wrong backend type, a missing backend and provider credentials; warns on no account guard', async () => {
    const root = repo({
      [`${E}/search/dev/versions.tf`]: 'terraform {\n  backend "local" {}\n}\n',
      [`${E}/search/dev/main.tf`]: 'provider "aws" {\n  profile = "admin"\n}\n',
      [`${E}/search/prod/main.tf`]: 'provider "aws" {}\n',
    });
    const stacks = await discoverStacks(await loadRegistry(root));
    const dev = await lintStack(root, stacks.find((s) => s.env === 'dev')!);
    expect(dev.problems.map((p) => p.message)).toEqual([
      'the provider picks its own credentials (assume_role/profile)',
      'backend "local" is not allowed for a aws stack',
    ]);
    const prod = await lintStack(root, stacks.find((s) => s.env === 'prod')!);
    expect(prod.problems[0]?.message).toContain('no backend block');
    expect(prod.warnings[0]?.fix).toContain('allowed_account_ids = ["200000000003"]');
  });

  it('reports unparseable HCL with file:line', async () => {
    const root = repo({ [`${E}/search/dev/main.tf`]: 'resource "x" "y" {\n  a = \n}\n' });
    const [stack] = await discoverStacks(await loadRegistry(root));
    const lint = await lintStack(root, stack!);
    expect(lint.problems[0]).toMatchObject({ file: `${E}/search/dev/main.tf`, line: 2 });
    expect(lint.problems[0]?.message).toMatch(/^invalid HCL: /);
  });
});

describe('idlc doctor / idlc stacks', () => {
  it('passes on a healthy layout and lists stacks as JSON', async () => {
    const root = repo({ ...stackFiles(`${E}/search/dev`) });
    const doc = await cli(root, 'doctor', '--no-tools');
    expect(doc.code).toBe(0);
    expect(doc.out).toMatch(/✓\s+registry idlc\.yaml\s+3 teams, envs dev → staging → prod/);
    expect(doc.out).toContain('all checks passed');
    const st = await cli(root, 'stacks', '--json');
    expect(JSON.parse(st.out)[0]).toMatchObject({
      id: 'aws/search/dev',
      target: { githubEnvironment: 'search-dev' },
    });
  });

  it('fails precisely on a broken registry, a stray folder and a hard-coded backend', async () => {
    const broken = repo({ ...stackFiles(`${E}/search/dev`) });
    writeFileSync(join(broken, 'idlc.yaml'), REGISTRY_YAML.replace('"200000000001"', '"2000"'));
    const r1 = await cli(broken, 'doctor', '--no-tools');
    expect(r1.code).toBe(1);
    expect(r1.out).toMatch(
      /✗\s+registry idlc\.yaml\s+idlc\.yaml:\d+:\d+: teams\.search\.envs\.dev\.aws\.account_id/,
    );

    const stray = repo({ ...stackFiles(`${E}/search/dev`), ...stackFiles(`${E}/ghost/dev`) });
    const r2 = await cli(stray, 'doctor', '--no-tools');
    expect(r2.code).toBe(1);
    expect(r2.out).toMatch(/✗\s+stack layout\s+idlc\/aws\/environments\/ghost: folder for team "ghost"/);

    const hard = repo({
      [`${E}/search/dev/versions.tf`]: 'terraform {\n  backend "s3" {\n    key = "x"\n  }\n}\n',
    });
    const r3 = await cli(hard, 'doctor', '--no-tools');
    expect(r3.code).toBe(1);
    expect(r3.out).toMatch(/✗\s+stack aws\/search\/dev/);
    expect(r3.err).toContain('terraform.backend.s3.key: the stack sets its own backend key');
  });

  it('exits non-zero with a fix when run outside a repository', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'idlc-empty-'));
    dirs.push(empty);
    const r = await cli(empty, 'stacks');
    expect(r.code).toBe(1);
    expect(r.err).toContain('platform registry not found');
    expect(r.err).toContain('fix: run idlc from the repository root, or pass --root <repo>');
  });
});
