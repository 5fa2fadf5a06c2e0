import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { stackFiles } from '../../../test/support/registry-fixture.ts';
import { loadRegistry } from '../../config/load.ts';
import { lintStack } from '../../discovery/stack-lint.ts';
import { discoverStacks } from '../../discovery/stacks.ts';
import { runCli } from '../main.ts';
import { addTeamToRegistry } from './new-team.ts';

// A minimal copy of the repository: a commented registry in the same style as idlc.yaml, one
// existing team stack, CODEOWNERS.
const REGISTRY = `# yaml-language-server: $schema=./schema/idlc.schema.json
#
# The platform registry (comments must survive new-team).
version: 1

engine:
  name: tofu
  version: 1.12.6 # keep equal to TOFU_VERSION

clouds:
  aws:
    default_region: eu-west-1

environments:
  - name: dev
  - name: staging
  - name: prod
    protected: true

state:
  bucket: idlc-tfstate-{team}-{account_id} # one bucket per team account
  key: "{env}/{stack}/terraform.tfstate"

teams:
  platform:
    kind: platform
    owners: ["@acme/platform"]
    cost_center: cc-0100
    envs:
      dev: { aws: { account_id: "100000000001" } }

  search:
    owners: ["@acme/search"]
    cost_center: cc-2100
    envs:
      dev: { aws: { account_id: "200000000001" } } # the dev account
      prod: { aws: { account_id: "200000000003", region: eu-central-1 } }
`;

const CODEOWNERS = `*                         @acme/platform
/idlc.yaml                @acme/platform
/idlc/aws/environments/search/     @acme/search
`;

const E = 'idlc/aws/environments';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'idlc-new-team-'));
  dirs.push(root);
  const files = { 'idlc.yaml': REGISTRY, '.github/CODEOWNERS': CODEOWNERS, ...stackFiles(`${E}/search/dev`) };
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  return root;
}

async function cli(root: string, ...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['--root', root, ...args], {
    out: (s) => (out += `${s}\n`),
    err: (s) => (err += `${s}\n`),
    cwd: root,
    env: {},
  });
  return { code, out, err };
}

const read = (root: string, p: string) => readFileSync(join(root, p), 'utf8');

const VISION = [
  'new-team',
  'vision',
  '--envs',
  'dev,staging,prod',
  '--account',
  'dev=400000000001,staging=400000000002,prod=400000000003',
  '--region',
  'prod=eu-central-1',
  '--cost-center',
  'cc-2300',
  '--description',
  'Vision models (OCR, image search).',
];

describe('idlc new-team', () => {
  it('registers the team, keeps the registry comments, and its stacks are discovered', async () => {
    const root = repo();
    const { code, out, err } = await cli(root, ...VISION);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`created   ${E}/vision/dev/versions.tf`);
    expect(out).toContain('updated   idlc.yaml');

    const loaded = await loadRegistry(root);
    const team = loaded.registry.teams['vision'];
    expect(team).toMatchObject({
      owners: ['@acme/vision'],
      cost_center: 'cc-2300',
      description: 'Vision models (OCR, image search).',
      envs: {
        dev: { aws: { account_id: '400000000001' } },
        staging: { aws: { account_id: '400000000002' } },
        prod: { aws: { account_id: '400000000003', region: 'eu-central-1' } },
      },
    });

    const stacks = await discoverStacks(loaded);
    const vision = stacks.filter((s) => s.team === 'vision');
    expect(vision.map((s) => [s.id, s.dir, s.target.accountId, s.target.region])).toEqual([
      ['aws/vision/dev', `${E}/vision/dev`, '400000000001', 'eu-west-1'],
      ['aws/vision/prod', `${E}/vision/prod`, '400000000003', 'eu-central-1'],
      ['aws/vision/staging', `${E}/vision/staging`, '400000000002', 'eu-west-1'],
    ]);
    for (const s of vision) {
      const lint = await lintStack(root, s);
      expect(lint.problems).toEqual([]);
      expect(lint.warnings).toEqual([]);
    }

    // Only lines were added: every original line (comments included) is still there, in order.
    const text = read(root, 'idlc.yaml');
    expect(text.startsWith(REGISTRY.trimEnd())).toBe(true);
    expect(text).toContain('  vision:\n    description: Vision models (OCR, image search).\n');
    expect(text).toContain('    owners: ["@acme/vision"]\n');
    expect(text).toContain('      dev: { aws: { account_id: "400000000001" } }\n');
  });

  it('writes the same stack files as the existing team stacks, a kustomize skeleton and CODEOWNERS lines', async () => {
    const root = repo();
    expect((await cli(root, ...VISION)).code).toBe(0);
    const stack = `${E}/vision/staging`;
    expect(read(root, `${stack}/versions.tf`)).toContain('backend "s3" {}');
    expect(read(root, `${stack}/providers.tf`)).toContain('allowed_account_ids = [var.idlc.account_id]');
    expect(read(root, `${stack}/providers.tf`)).toContain('"cost-center" = var.idlc.cost_center');
    expect(read(root, `${stack}/variables.tf`)).toContain('variable "idlc"');

    const repoRoot = join(import.meta.dirname, '..', '..', '..');
    for (const f of ['versions.tf', 'providers.tf']) {
      expect(read(root, `${stack}/${f}`)).toBe(read(repoRoot, `${E}/search/dev/${f}`));
    }
    expect(
      read(repoRoot, `${E}/search/dev/variables.tf`).startsWith(read(root, `${stack}/variables.tf`)),
    ).toBe(true);

    const base = parseDocument(read(root, 'sdlc/teams/vision/base/kustomization.yaml')).toJS();
    expect(base).toMatchObject({ kind: 'Kustomization', resources: [] });
    const prod = parseDocument(read(root, 'sdlc/teams/vision/prod/kustomization.yaml')).toJS();
    expect(prod).toMatchObject({ kind: 'Kustomization', namespace: 'vision', resources: ['../base'] });

    const owners = read(root, '.github/CODEOWNERS');
    expect(owners.startsWith(CODEOWNERS)).toBe(true);
    expect(owners).toMatch(/^\/idlc\/aws\/environments\/vision\/\s+@acme\/vision$/m);
    expect(owners).toMatch(/^\/sdlc\/teams\/vision\/\s+@acme\/vision$/m);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const root = repo();
    expect((await cli(root, ...VISION)).code).toBe(0);
    const registry = read(root, 'idlc.yaml');
    const owners = read(root, '.github/CODEOWNERS');
    const again = await cli(root, ...VISION);
    expect(again.code).toBe(0);
    expect(again.out).toContain('already scaffolded; nothing to do');
    expect(again.out).not.toMatch(/^(created|updated)/m);
    expect(read(root, 'idlc.yaml')).toBe(registry);
    expect(read(root, '.github/CODEOWNERS')).toBe(owners);
  });

  it('refuses to overwrite a changed file, names it, and writes nothing', async () => {
    const root = repo();
    mkdirSync(join(root, `${E}/vision/dev`), { recursive: true });
    writeFileSync(join(root, `${E}/vision/dev/main.tf`), '# hand-written\n');
    const before = read(root, 'idlc.yaml');
    const { code, err } = await cli(root, ...VISION);
    expect(code).toBe(1);
    expect(err).toContain(`${E}/vision/dev/main.tf`);
    expect(err).toContain('never overwrites');
    expect(read(root, 'idlc.yaml')).toBe(before);
    expect(read(root, `${E}/vision/dev/main.tf`)).toBe('# hand-written\n');
    expect(() => read(root, `${E}/vision/dev/versions.tf`)).toThrow();
  });

  it('refuses a registered team with different settings', async () => {
    const root = repo();
    const { code, err } = await cli(
      root,
      'new-team',
      'search',
      '--envs',
      'dev',
      '--account',
      'dev=200000000009',
      '--cost-center',
      'cc-2100',
    );
    expect(code).toBe(1);
    expect(err).toContain('teams.search.envs.dev.aws.account_id');
  });

  it('checks the flags: every env needs its own, unused account, envs must be declared', async () => {
    const root = repo();
    const run = (...extra: string[]) => cli(root, 'new-team', 'vision', '--cost-center', 'cc-2300', ...extra);

    const missing = await run('--envs', 'dev,prod', '--account', 'dev=400000000001');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('--account: no account for "prod"');

    const shared = await run('--envs', 'dev', '--account', 'dev=200000000001');
    expect(shared.err).toContain('already belongs to team "search"');

    const unknown = await run('--envs', 'dev,qa', '--account', 'dev=400000000001,qa=400000000004');
    expect(unknown.err).toContain('"qa" is not declared in idlc.yaml');

    const short = await run('--envs', 'dev', '--account', 'dev=4000');
    expect(short.err).toContain('is not a 12-digit AWS account id');

    const noAccount = await cli(root, 'new-team', 'vision', '--envs', 'dev', '--cost-center', 'cc-1');
    expect(noAccount.code).not.toBe(0);
    expect(noAccount.err).toContain("required option '--account");
    expect(read(root, 'idlc.yaml')).toBe(REGISTRY);
  });
});

describe('addTeamToRegistry', () => {
  it('appends after the last team even when a comment trails the file', () => {
    const text = `${REGISTRY}# end of registry\n`;
    const next = addTeamToRegistry(text, 'vision', {
      owners: ['@acme/vision'],
      cost_center: 'cc-1',
      envs: { dev: { aws: { account_id: '400000000001' } } },
    });
    const doc = parseDocument(next).toJS() as { teams: Record<string, unknown> };
    expect(Object.keys(doc.teams)).toEqual(['platform', 'search', 'vision']);
    expect(next).toContain('# end of registry');
    expect(next).toContain('# the dev account');
  });
});
