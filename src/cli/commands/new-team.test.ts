import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { stackFiles } from '../../../test/support/registry-fixture.ts';
import { loadRegistry } from '../../config/load.ts';
import { lintStack } from '../../discovery/stack-lint.ts';
import { discoverStacks } from '../../discovery/stacks.ts';
import { runCli } from '../main.ts';

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

  it('writes the same stack files as the existing team stacks, and CODEOWNERS lines; no kustomization outside app folders', async () => {
    const root = repo();
    const { code, out } = await cli(root, ...VISION);
    expect(code).toBe(0);
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

    // The ApplicationSets make one Application per sdlc/teams/<team>/<env>/<app>: a kustomization
    // directly in an env folder (or a shared base one) would be read by nothing.
    expect(existsSync(join(root, 'sdlc/teams/vision'))).toBe(false);
    expect(out).toContain('idlc new-app vision <app> --template vllm|rag-api|embeddings');

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

  it('--app and --template scaffold the first app exactly as idlc new-app does, one folder per app', async () => {
    const root = repo();
    const { code, out } = await cli(root, ...VISION, '--app', 'ocr', '--template', 'rag-api');
    expect(code).toBe(0);
    expect(out).not.toContain('idlc new-app');
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
      );
    expect(files('sdlc/teams/vision').sort()).toEqual([
      'sdlc/teams/vision/base/ocr/kustomization.yaml',
      'sdlc/teams/vision/dev/ocr/infra-outputs.env',
      'sdlc/teams/vision/dev/ocr/kustomization.yaml',
      'sdlc/teams/vision/prod/ocr/infra-outputs.env',
      'sdlc/teams/vision/prod/ocr/kustomization.yaml',
      'sdlc/teams/vision/staging/ocr/infra-outputs.env',
      'sdlc/teams/vision/staging/ocr/kustomization.yaml',
    ]);
    const prod = parseDocument(read(root, 'sdlc/teams/vision/prod/ocr/kustomization.yaml')).toJS();
    expect(prod).toMatchObject({
      kind: 'Kustomization',
      namespace: 'vision-prod',
      resources: ['../../base/ocr'],
      images: [{ name: 'ocr', newName: '400000000003.dkr.ecr.eu-central-1.amazonaws.com/vision/ocr' }],
    });
    expect(parseDocument(read(root, 'sdlc/teams/vision/base/ocr/kustomization.yaml')).toJS()).toMatchObject({
      resources: ['../../../../templates/rag-api'],
      namePrefix: 'ocr-',
    });
    // new-app afterwards finds every file in place.
    const again = await cli(root, 'new-app', 'vision', 'ocr', '--template', 'rag-api');
    expect(again.out).toContain('0 created.');
  });

  it('puts the stacks under the AWS stack root of the registry', async () => {
    const root = repo();
    const text = read(root, 'idlc.yaml').replace(
      'state:\n',
      'stack_roots: [infra/gcp/stacks, infra/aws/stacks]\n\nstate:\n',
    );
    writeFileSync(join(root, 'idlc.yaml'), text);
    rmSync(join(root, E), { recursive: true });
    const { code, out } = await cli(root, ...VISION);
    expect(code).toBe(0);
    expect(out).toContain('created   infra/aws/stacks/vision/prod/versions.tf');
    expect(out).toContain('add module calls to infra/aws/stacks/vision/<env>/main.tf');
    expect(read(root, '.github/CODEOWNERS')).toMatch(/^\/infra\/aws\/stacks\/vision\/\s+@acme\/vision$/m);
    const stacks = await discoverStacks(await loadRegistry(root));
    expect(stacks.map((s) => s.dir)).toEqual([
      'infra/aws/stacks/vision/dev',
      'infra/aws/stacks/vision/prod',
      'infra/aws/stacks/vision/staging',
    ]);

    writeFileSync(
      join(root, 'idlc.yaml'),
      text.replace('[infra/gcp/stacks, infra/aws/stacks]', '[infra/gcp/stacks]'),
    );
    const none = await cli(
      root,
      'new-team',
      'media',
      '--envs',
      'dev',
      '--account',
      'dev=500000000001',
      '--cost-center',
      'cc-1',
    );
    expect(none.code).toBe(1);
    expect(none.err).toContain(
      "idlc.yaml stack_roots (infra/gcp/stacks) has no AWS root for the team's stacks (e.g. idlc/aws/environments)",
    );
  });

  it('checks the team name and the app flags with the registry rules', async () => {
    const root = repo();
    const run = (name: string, ...extra: string[]) =>
      cli(
        root,
        'new-team',
        name,
        '--envs',
        'dev',
        '--account',
        'dev=400000000001',
        '--cost-center',
        'cc-1',
        ...extra,
      );
    expect((await run('Vision')).err).toContain(
      'team name "Vision" must match ^[a-z][a-z0-9-]{1,30}$ (use lowercase letters, digits and dashes, 2-31 characters, starting with a letter)',
    );
    expect((await run('idlc-tools')).err).toContain('team names starting with "idlc" are reserved');
    expect((await run('vision', '--app', 'ocr')).err).toContain('--app and --template go together');
    const bad = await run('vision', '--app', 'base', '--template', 'spark');
    expect(bad.err).toContain('--app: "base" is not an app name');
    expect(bad.err).toContain('--template: "spark" is not one of vllm, rag-api, embeddings');
    expect(read(root, 'idlc.yaml')).toBe(REGISTRY);
  });
});
