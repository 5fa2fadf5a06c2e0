import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../config/load.ts';
import { resolveTarget } from '../config/targets.ts';
import type { Stack } from '../discovery/stacks.ts';
import { pluginCacheKey } from './plugin-cache.ts';
import { parseStackInput, resolveRequestedStacks } from './stack-input.ts';

const reg = parseRegistry(`version: 1
engine: { name: tofu, version: 1.12.6 }
clouds: { aws: { default_region: eu-west-1 } }
environments: [{ name: dev }, { name: prod, protected: true }]
state: { bucket: "idlc-tfstate-{team}-{account_id}" }
teams:
  search:
    owners: ["@acme/search"]
    cost_center: cc-1
    envs: { dev: { aws: { account_id: "200000000001" } }, prod: { aws: { account_id: "200000000003" } } }
`);
const stack = (env: string): Stack => ({
  id: `aws/search/${env}`,
  cloud: 'aws',
  team: 'search',
  env,
  name: '',
  dir: `idlc/aws/environments/search/${env}`,
  engine: reg.engine,
  target: resolveTarget(reg, 'aws', 'search', env, ''),
});
const stacks = [stack('dev'), stack('prod')];

describe('parseStackInput', () => {
  it('reads ids, a matrix entry, a packed job and lists', () => {
    expect(parseStackInput('aws/search/dev, aws/search/prod aws/search/dev')).toEqual([
      { id: 'aws/search/dev' },
      { id: 'aws/search/prod' },
    ]);
    expect(parseStackInput('{"id":"aws/search/dev","wave":0}')).toEqual([
      { id: 'aws/search/dev', entry: { id: 'aws/search/dev', wave: 0 } },
    ]);
    expect(
      parseStackInput('{"name":"batch 1","stacks":[{"id":"aws/search/dev"},{"id":"aws/search/prod"}]}').map(
        (r) => r.id,
      ),
    ).toEqual(['aws/search/dev', 'aws/search/prod']);
    expect(parseStackInput('["aws/search/dev"]')).toEqual([{ id: 'aws/search/dev' }]);
  });
  it('says what is wrong with bad input', () => {
    expect(() => parseStackInput(' ')).toThrow(/no stack given/);
    expect(() => parseStackInput('{"id":')).toThrow(/not valid JSON/);
    expect(() => parseStackInput('{"dir":"x"}')).toThrow(/neither a stack id nor a matrix entry/);
  });
});

describe('resolveRequestedStacks', () => {
  it('returns the registry stacks and believes the registry over the matrix', () => {
    const ok = parseStackInput(
      JSON.stringify({
        id: 'aws/search/dev',
        plan_role: 'arn:aws:iam::200000000001:role/idlc-search-dev-plan',
        protected: false,
      }),
    );
    expect(resolveRequestedStacks(ok, stacks)[0]?.id).toBe('aws/search/dev');
    const forged = parseStackInput(
      JSON.stringify({ id: 'aws/search/dev', apply_role: 'arn:aws:iam::999999999999:role/admin' }),
    );
    expect(() => resolveRequestedStacks(forged, stacks)).toThrow(
      /matrix entry says apply_role=.* but idlc\.yaml gives/,
    );
    expect(() => resolveRequestedStacks([{ id: 'aws/nope/dev' }], stacks)).toThrow(/not in this repository/);
  });

  it('refuses a matrix entry that moves prod to another account or calls it unprotected', () => {
    const entry = (extra: Record<string, unknown>) =>
      parseStackInput(JSON.stringify({ id: 'aws/search/prod', ...extra }));
    expect(resolveRequestedStacks(entry({ account: '200000000003', protected: true }), stacks)[0]?.id).toBe(
      'aws/search/prod',
    );
    expect(() => resolveRequestedStacks(entry({ account: '200000000001' }), stacks)).toThrow(
      'stack aws/search/prod: the matrix entry says account="200000000001" but idlc.yaml gives "200000000003"',
    );
    expect(() => resolveRequestedStacks(entry({ protected: false }), stacks)).toThrow(
      'stack aws/search/prod: the matrix entry says protected=false but idlc.yaml gives true',
    );
  });
});

describe('pluginCacheKey', () => {
  it('changes with the lock files and the engine version, and restores by prefix', async () => {
    const root = await mkdtemp(join(tmpdir(), 'idlc-key-'));
    await mkdir(join(root, 'a'), { recursive: true });
    await writeFile(join(root, 'a', '.terraform.lock.hcl'), 'provider "x" {}\n');
    const engine = { name: 'tofu', version: '1.12.6' };
    const k1 = await pluginCacheKey({ root, stackDirs: ['a'], engine, platform: 'linux', arch: 'x64' });
    await writeFile(join(root, 'a', '.terraform.lock.hcl'), 'provider "y" {}\n');
    const k2 = await pluginCacheKey({ root, stackDirs: ['a'], engine, platform: 'linux', arch: 'x64' });
    const k3 = await pluginCacheKey({
      root,
      stackDirs: ['a'],
      engine: { ...engine, version: '1.12.7' },
      platform: 'linux',
      arch: 'x64',
    });
    expect(k1.key).toMatch(/^idlc-providers-linux-x64-tofu-1\.12\.6-[0-9a-f]{32}$/);
    expect(k2.key).not.toBe(k1.key);
    expect(k3.restoreKeys).toEqual(['idlc-providers-linux-x64-tofu-1.12.7-']);
    expect(k1.key.startsWith(k1.restoreKeys[0]!)).toBe(true);
  });
});
