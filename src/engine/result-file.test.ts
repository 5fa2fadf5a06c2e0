import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../config/load.ts';
import { resolveTarget } from '../config/targets.ts';
import type { Stack } from '../discovery/stacks.ts';
import { loadApplyResults, loadStackResults } from '../report/results.ts';
import { UsageError } from '../util/errors.ts';
import { EngineError } from './engine-errors.ts';
import { applyResultFile, planResultFile, writeResultFile } from './result-file.ts';

const reg = parseRegistry(`version: 1
engine: { name: tofu, version: 1.12.6 }
clouds: { aws: { default_region: eu-west-1 } }
environments: [{ name: dev }]
state: { bucket: "idlc-tfstate-{team}-{account_id}" }
teams:
  search:
    owners: ["@acme/search"]
    cost_center: cc-1
    envs: { dev: { aws: { account_id: "200000000001" } } }
`);
const stack: Stack = {
  id: 'aws/search/dev',
  cloud: 'aws',
  team: 'search',
  env: 'dev',
  name: '',
  dir: 'idlc/aws/environments/search/dev',
  engine: reg.engine,
  target: resolveTarget(reg, 'aws', 'search', 'dev', ''),
};

describe('result files in the report contract', () => {
  it('failures read back through the report loaders with their status and message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idlc-results-'));
    const plan = planResultFile({
      stack,
      wave: 1,
      headSha: 'a'.repeat(40),
      error: new UsageError('stack aws/search/dev: refusing to run', 'use the right account'),
    });
    await writeResultFile(join(dir, 'plan'), 'plan', stack.id, plan);
    const loaded = await loadStackResults(join(dir, 'plan'));
    expect(loaded.results[0]).toMatchObject({
      status: 'error',
      wave: 1,
      error: expect.stringMatching(/fix: use the right account/),
    });

    const stale = applyResultFile({
      stack,
      wave: 0,
      error: new EngineError('stale-plan', 'Saved plan is stale', 're-plan'),
    });
    const skipped = applyResultFile({ stack: { ...stack, id: 'aws/search/dev/b' }, wave: 0, skipped: true });
    await writeResultFile(join(dir, 'apply'), 'apply', stack.id, stale);
    await writeResultFile(join(dir, 'apply'), 'apply', 'aws/search/dev/b', skipped);
    const applied = await loadApplyResults(join(dir, 'apply'));
    expect(applied.results.map((r) => r.status).sort()).toEqual(['skipped', 'stale']);
  });
});
