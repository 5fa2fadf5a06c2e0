import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../config/load.ts';
import { discoverStacks } from '../discovery/stacks.ts';
import { fanOut } from './matrix.ts';
import { dependencyGraph, orderStacks } from './order.ts';

const root = join(import.meta.dirname, '..', '..');

describe('plan review: stacks of envs with plan_review plan behind their own environment', () => {
  it('puts prod stacks (plan_review in idlc.yaml) into the reviewed matrix, one job each, and the rest into the plain one', async () => {
    const loaded = await loadRegistry(root);
    const stacks = (await discoverStacks(loaded)).filter((s) => s.team === 'search');
    const ordered = orderStacks(
      dependencyGraph(loaded.registry, stacks),
      stacks.map((s) => s.id),
    );
    const out = fanOut(stacks, ordered, 200);
    expect(out.reviewed.include.map((j) => [j.name, j.plan_environment, j.stacks.length])).toEqual([
      ['aws/search/prod', 'search-prod-plan', 1],
    ]);
    expect(out.matrix.include.map((j) => [j.name, j.plan_environment])).toEqual([
      ['aws/search/dev', ''],
      ['aws/search/staging', ''],
    ]);
    // every stack is planned exactly once
    expect(
      [...out.matrix.include, ...out.reviewed.include].flatMap((j) => j.stacks.map((s) => s.id)).sort(),
    ).toEqual(stacks.map((s) => s.id).sort());
  });
});
