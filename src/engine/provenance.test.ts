import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../config/load.ts';
import { resolveTarget } from '../config/targets.ts';
import type { Stack } from '../discovery/stacks.ts';
import {
  canonicalJson,
  PROVENANCE_SCHEMA,
  type Provenance,
  registryEntryHash,
  stackContent,
  verifyProvenance,
} from './provenance.ts';

async function repo(files: Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), 'idlc-prov-'));
  for (const [p, t] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true });
    await writeFile(join(root, p), t);
  }
  return root;
}

const STACK = 'idlc/aws/environments/search/dev';
const base = {
  [`${STACK}/main.tf`]: 'module "l" {\n  source = "../../../modules/label"\n}\n',
  [`${STACK}/terraform.tfvars`]: 'x = 1\n',
  [`${STACK}/.terraform.lock.hcl`]: '# lock\n',
  [`${STACK}/.terraform/providers/junk`]: 'ignored',
  [`${STACK}/templates/policy.json`]: '{}',
  'idlc/aws/modules/label/main.tf': 'output "n" { value = 1 }\n',
  'idlc/aws/modules/label/files/t.txt': 'template',
  'idlc/aws/modules/unused/main.tf': 'output "n" { value = 2 }\n',
};

describe('stack content hash', () => {
  it('covers the stack, its local modules, lock file, tfvars and templates, not .terraform', async () => {
    const c = await stackContent(await repo(base), STACK);
    expect(c.files.map((f) => f.path)).toEqual([
      `${STACK}/.terraform.lock.hcl`,
      `${STACK}/main.tf`,
      `${STACK}/templates/policy.json`,
      `${STACK}/terraform.tfvars`,
      'idlc/aws/modules/label/files/t.txt',
      'idlc/aws/modules/label/main.tf',
    ]);
  });

  it('changes when a module changes and not when an unrelated module does', async () => {
    const a = await stackContent(await repo(base), STACK);
    const b = await stackContent(
      await repo({ ...base, 'idlc/aws/modules/label/main.tf': 'output "n" { value = 9 }\n' }),
      STACK,
    );
    const c = await stackContent(
      await repo({ ...base, 'idlc/aws/modules/unused/main.tf': '# other\n' }),
      STACK,
    );
    expect(b.sha256).not.toBe(a.sha256);
    expect(c.sha256).toBe(a.sha256);
  });

  it('follows modules transitively: a module two calls down is covered, and its change moves the hash', async () => {
    const nested = {
      ...base,
      'idlc/aws/modules/label/main.tf': 'module "n" {\n  source = "../naming"\n}\n',
      'idlc/aws/modules/naming/main.tf': 'output "n" { value = "a" }\n',
      'idlc/aws/modules/naming/prefix.txt': 'p',
    };
    const a = await stackContent(await repo(nested), STACK);
    expect(a.files.map((f) => f.path)).toEqual([
      `${STACK}/.terraform.lock.hcl`,
      `${STACK}/main.tf`,
      `${STACK}/templates/policy.json`,
      `${STACK}/terraform.tfvars`,
      'idlc/aws/modules/label/files/t.txt',
      'idlc/aws/modules/label/main.tf',
      'idlc/aws/modules/naming/main.tf',
      'idlc/aws/modules/naming/prefix.txt',
    ]);
    const b = await stackContent(
      await repo({ ...nested, 'idlc/aws/modules/naming/main.tf': 'output "n" { value = "b" }\n' }),
      STACK,
    );
    expect(b.sha256).not.toBe(a.sha256);
  });

  it('is independent of where the checkout lives', async () => {
    expect((await stackContent(await repo(base), STACK)).sha256).toBe(
      (await stackContent(await repo(base), STACK)).sha256,
    );
  });
});

describe('canonical JSON and the registry entry hash', () => {
  it('sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, { z: 1, y: 2 }] } })).toBe(
      '{"a":{"c":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  const yaml = (account: string) => `version: 1
engine: { name: tofu, version: 1.12.6 }
clouds: { aws: { default_region: eu-west-1 } }
environments: [{ name: dev }]
state: { bucket: "idlc-tfstate-{team}-{account_id}" }
teams:
  search:
    owners: ["@acme/search"]
    cost_center: cc-1
    envs: { dev: { aws: { account_id: "${account}" } } }
  other:
    owners: ["@acme/other"]
    cost_center: cc-2
    envs: { dev: { aws: { account_id: "900000000001" } } }
`;
  const stackOf = (reg: ReturnType<typeof parseRegistry>): Stack => ({
    id: 'aws/search/dev',
    cloud: 'aws',
    team: 'search',
    env: 'dev',
    name: '',
    dir: STACK,
    engine: reg.engine,
    target: resolveTarget(reg, 'aws', 'search', 'dev', ''),
  });

  it('moves with the account of the stack, not with other teams', () => {
    const r1 = parseRegistry(yaml('200000000001'));
    const r2 = parseRegistry(yaml('200000000009'));
    const r3 = parseRegistry(yaml('200000000001').replace('cc-2', 'cc-3'));
    expect(registryEntryHash(r1, stackOf(r1))).not.toBe(registryEntryHash(r2, stackOf(r2)));
    expect(registryEntryHash(r1, stackOf(r1))).toBe(registryEntryHash(r3, stackOf(r3)));
  });
});

describe('verifyProvenance', () => {
  const content = { sha256: 'h1', files: [{ path: 'a.tf', sha256: '1' }], remote: [] };
  const p: Provenance = {
    schema: PROVENANCE_SCHEMA,
    stackId: 's',
    stackDir: 'd',
    headSha: 'a'.repeat(40),
    runId: '1',
    createdAt: '',
    content,
    engine: { name: 'tofu', version: '1.12.6' },
    registryEntrySha256: 'r',
    policy: { evaluated: true, denied: false },
    plan: { sha256: 'p', jsonSha256: 'j', hasChanges: true },
  };
  const now = { stackId: 's', headSha: 'a'.repeat(40), content, engine: p.engine, registryEntrySha256: 'r' };

  it('accepts a matching context', () => {
    expect(() => verifyProvenance(p, now)).not.toThrow();
  });

  it('refuses changed content naming the files, and every other mismatch', () => {
    const changed = {
      sha256: 'h2',
      files: [
        { path: 'a.tf', sha256: '2' },
        { path: 'b.tf', sha256: '3' },
      ],
      remote: [],
    };
    expect(() => verifyProvenance(p, { ...now, content: changed })).toThrow(
      /a\.tf \(changed\), b\.tf \(added\)/,
    );
    expect(() => verifyProvenance(p, { ...now, stackId: 't' })).toThrow(/for stack s, not t/);
    expect(() => verifyProvenance(p, { ...now, headSha: 'b'.repeat(40) })).toThrow(/planned at/);
    expect(() => verifyProvenance(p, { ...now, engine: { name: 'tofu', version: '1.12.7' } })).toThrow(
      /1\.12\.7/,
    );
    expect(() => verifyProvenance(p, { ...now, registryEntrySha256: 'x' })).toThrow(/registry entry/);
    expect(() =>
      verifyProvenance({ ...p, policy: { evaluated: true, denied: true, summary: 'no tags' } }, now),
    ).toThrow(/policy denied this plan: no tags[\s\S]*Re-run the plan/);
  });
});
