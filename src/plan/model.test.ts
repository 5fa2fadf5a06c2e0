import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { buildPlanModel, changeSummary, type PlanModel, SENSITIVE, UNKNOWN } from './model.ts';

// Every fixture is real `tofu show -json` output made by testdata/gen.sh.
const testdata = join(import.meta.dirname, 'testdata');
const raw = (name: string) => readFileSync(join(testdata, name), 'utf8');
const model = (scenario: string, diagnostics?: string): PlanModel =>
  buildPlanModel(JSON.parse(raw(`${scenario}.show.json`)), diagnostics ? { diagnostics } : {});
const resource = (m: PlanModel, address: string) => {
  const r = m.resources.find((x) => x.address === address);
  if (!r) throw new Error(`no ${address} in ${m.resources.map((x) => x.address).join(', ')}`);
  return r;
};
const attr = (m: PlanModel, address: string, path: string) =>
  resource(m, address).attributes.find((a) => a.path === path);

describe('buildPlanModel', () => {
  it('counts creates and a read deferred to apply, with unknown values shown as such', () => {
    const m = model('create');
    expect(m.counts).toMatchObject({ create: 7, read: 1, update: 0, delete: 0, replace: 0, noop: 0 });
    expect(m.hasChanges).toBe(true);
    expect(m.destructive).toBe(false);
    expect(attr(m, 'terraform_data.bucket', 'input.tags.team')).toEqual({
      path: 'input.tags.team',
      after: '"search"',
    });
    expect(attr(m, 'terraform_data.bucket', 'id')?.after).toBe(UNKNOWN);
    expect(attr(m, 'terraform_data.per_region["eu-west-1"]', 'input')?.after).toBe('"eu-west-1"');
    const read = resource(m, 'data.terraform_remote_state.network');
    expect(read).toMatchObject({ action: 'read', mode: 'data', actionReason: 'read_because_config_unknown' });
    expect(m.outputs).toEqual([
      { name: 'bucket_id', action: 'create', sensitive: false, after: UNKNOWN },
      { name: 'created_at', action: 'create', sensitive: false, after: UNKNOWN },
    ]);
  });

  it('diffs updates attribute by attribute, collapsing a subtree that becomes unknown', () => {
    const m = model('update');
    expect(m.counts).toMatchObject({ update: 2, noop: 1 });
    expect(m.resources.map((r) => r.address)).toEqual(['terraform_data.config', 'time_offset.expiry']);
    const config = resource(m, 'terraform_data.config').attributes;
    expect(config).toContainEqual({ path: 'input.image', before: '"search:1.4.0"', after: '"search:1.5.0"' });
    expect(config).toContainEqual({ path: 'input.env.LOG_LEVEL', before: '"info"', after: '"debug"' });
    expect(config.find((a) => a.path === 'output')?.after).toBe(UNKNOWN);
    expect(config.some((a) => a.path.startsWith('output.'))).toBe(false);
    expect(attr(m, 'time_offset.expiry', 'offset_days')).toEqual({
      path: 'offset_days',
      before: '30',
      after: '60',
    });
    expect(m.outputs.map((o) => [o.name, o.action])).toEqual([
      ['image', 'update'],
      ['replicas', 'create'],
    ]);
  });

  it('collapses delete+create into replace in both orders and marks what forces it', () => {
    const m = model('replace');
    expect(m.counts).toMatchObject({ replace: 3, create: 0, delete: 0 });
    expect(m.destructive).toBe(true);
    expect(resource(m, 'terraform_data.node_group').actions).toEqual(['create', 'delete']);
    expect(resource(m, 'terraform_data.cluster').actions).toEqual(['delete', 'create']);
    expect(attr(m, 'terraform_data.cluster', 'triggers_replace[0]')).toEqual({
      path: 'triggers_replace[0]',
      before: '"1.29"',
      after: '"1.30"',
      forcesReplacement: true,
    });
    expect(attr(m, 'time_static.epoch', 'triggers.version')?.forcesReplacement).toBe(true);
  });

  it('lists deletions with the values that go away, deletes first', () => {
    const m = model('delete');
    expect(m.counts).toMatchObject({ delete: 2, noop: 1 });
    expect(m.resources.map((r) => r.action)).toEqual(['delete', 'delete']);
    expect(attr(m, 'terraform_data.old_queue', 'input')).toEqual({ path: 'input', before: '"queue"' });
    expect(m.outputs).toEqual([{ name: 'queue', action: 'delete', sensitive: false, before: '"queue"' }]);
  });

  it('reports a no-op plan as having no changes and lists no resources', () => {
    const m = model('noop');
    expect(m.counts.noop).toBe(2);
    expect(m.hasChanges).toBe(false);
    expect(m.resources).toEqual([]);
    expect(m.outputs).toEqual([]);
    expect(changeSummary(m.counts)).toBe('+0 ~0 -0');
  });

  it('never carries a sensitive value, even when a provider copies it into an unmarked attribute', () => {
    const m = model('sensitive');
    const text = JSON.stringify(m);
    // the values gen.sh passes as sensitive variables and sensitive() literals
    for (const secret of ['hunter2-old', 'hunter2-new', 'tok-old', 'tok-new', 's3cr3t-value', 'b-secret']) {
      expect(text).not.toContain(secret);
    }
    // terraform_data.output is unmarked in tofu's JSON: masked by value
    expect(attr(m, 'terraform_data.token', 'output')?.before).toBe(SENSITIVE);
    expect(attr(m, 'terraform_data.db', 'output')?.before).toBe(
      '{"host":"db.internal","password":"(sensitive)","user":"app"}',
    );
    expect(attr(m, 'terraform_data.db', 'input.password')).toEqual({
      path: 'input.password',
      before: SENSITIVE,
      after: SENSITIVE,
    });
    expect(attr(m, 'terraform_data.mixed', 'input.list[1]')?.after).toBe(SENSITIVE);
    expect(attr(m, 'terraform_data.mixed', 'input.list[0]')?.after).toBe('"a"');
    expect(attr(m, 'terraform_data.mixed', 'input.public')?.after).toBe('"visible"');
    expect(m.outputs.find((o) => o.name === 'connection')).toEqual({
      name: 'connection',
      action: 'create',
      sensitive: true,
      after: SENSITIVE,
    });
    expect(m.outputs.find((o) => o.name === 'public_host')?.after).toBe('"db2.internal"');
  });

  it('keeps moved and imported resources, with previous address and import id', () => {
    const m = model('moved-imported');
    expect(m.counts).toMatchObject({ move: 3, import: 2, noop: 3, update: 1, replace: 1 });
    expect(resource(m, 'terraform_data.search_index')).toMatchObject({
      action: 'no-op',
      previousAddress: 'terraform_data.old_name',
    });
    expect(resource(m, 'module.clock.time_static.stamp')).toMatchObject({
      previousAddress: 'time_static.stamp',
      module: 'module.clock',
    });
    expect(resource(m, 'terraform_data.settings')).toMatchObject({
      action: 'update',
      previousAddress: 'terraform_data.renamed_and_changed',
    });
    expect(resource(m, 'terraform_data.adopted').importing).toEqual({ id: 'existing-object-123' });
    expect(resource(m, 'time_static.imported')).toMatchObject({
      action: 'replace',
      importing: { id: '2024-01-02T03:04:05Z' },
    });
  });

  it('reports drift found by refresh next to the plan that repairs it', () => {
    const m = model('drift');
    expect(m.drift.map((d) => [d.address, d.action])).toEqual([['time_rotating.key', 'delete']]);
    expect(m.drift[0]?.attributes).toContainEqual({
      path: 'rotation_rfc3339',
      before: '"2000-01-01T00:00:00Z"',
    });
    expect(m.counts.create).toBe(1);
    const refreshOnly = model('drift-refresh-only');
    expect(refreshOnly.drift).toHaveLength(1);
    expect(refreshOnly.hasChanges).toBe(false);
  });

  it('gives Terraform 1.0.0 drift entries (no address, no index) their address, and drops unchanged ones', () => {
    // real `terraform show -json` of Terraform 1.0.0 (gen.sh drift-terraform-1.0.0): six entries,
    // none with an address, four of them unchanged objects listed as "update"
    const doc = JSON.parse(raw('drift-terraform-1.0.0.show.json'));
    expect(doc.terraform_version).toBe('1.0.0');
    expect(doc.resource_drift).toHaveLength(6);
    expect(doc.resource_drift.filter((d: { address?: string }) => d.address)).toEqual([]);
    const m = buildPlanModel(doc);
    expect(m.drift.map((d) => [d.address, d.action])).toEqual([
      ['time_rotating.key', 'delete'],
      ['time_rotating.per_env["prod"]', 'delete'],
    ]);
    expect(m.drift[0]?.attributes).toContainEqual({
      path: 'rotation_rfc3339',
      before: '"2000-01-01T00:00:00Z"',
    });
    expect(JSON.stringify(m)).not.toContain('unknown address');
  });

  it('does not count an attribute read back empty where it was null as drift', () => {
    // a real plan with the AWS provider against moto (policy/terraform/testdata/regen.sh s3):
    // refresh reads the tags of two untouched buckets back as {} where state had null
    const doc = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '..', '..', 'policy', 'terraform', 'testdata', 's3', 'plan.json'),
        'utf8',
      ),
    );
    const drifted = doc.resource_drift.map(
      (d: { address: string; change: { before: { tags: unknown }; after: { tags: unknown } } }) => [
        d.address,
        d.change.before.tags,
        d.change.after.tags,
      ],
    );
    expect(drifted).toEqual([
      ['aws_s3_bucket.existing', null, {}],
      ['aws_s3_bucket.legacy', null, {}],
    ]);
    expect(buildPlanModel(doc).drift).toEqual([]);
  });

  it('derives a drift address from module_address, type, name and index when they are given', () => {
    const doc = JSON.parse(raw('drift-terraform-1.0.0.show.json'));
    const entry = doc.resource_drift.find((d: { type: string }) => d.type === 'time_static');
    entry.change.after = null; // deleted, so it counts as drift
    entry.change.actions = ['delete'];
    doc.resource_drift = [
      { ...entry, index: 1 },
      { ...entry, module_address: undefined, name: 'by_key', index: 'eu-west-1' },
    ];
    expect(buildPlanModel(doc).drift.map((d) => d.address)).toEqual([
      'module.clock.time_static.stamp[1]',
      'time_static.by_key["eu-west-1"]',
    ]);
  });

  it('marks an errored plan and takes the failed check from the document', () => {
    const m = model('error');
    expect(m.errored).toBe(true);
    expect(m.errors).toEqual([
      {
        severity: 'error',
        summary: 'Check failed: terraform_data.bad',
        detail: 'The input must be longer than 10 characters: set a longer name in terraform.tfvars.',
        address: 'terraform_data.bad',
      },
    ]);
  });

  it('prefers the captured stderr diagnostic (with its location) over the same failed check', () => {
    const m = model('error', raw('error.stderr.txt'));
    expect(m.errors).toHaveLength(1);
    expect(m.errors[0]).toMatchObject({
      severity: 'error',
      summary: 'Resource precondition failed',
      location: 'main.tf:7',
    });
    expect(m.errors[0]?.detail).toContain('set a longer name');
  });

  it('reads diagnostics from the -json plan log too', () => {
    const m = model('error', raw('error.plan-log.jsonl'));
    expect(m.errors).toEqual([
      {
        severity: 'error',
        summary: 'Resource precondition failed',
        detail: 'The input must be longer than 10 characters: set a longer name in terraform.tfvars.',
        location: 'main.tf:7',
      },
    ]);
  });

  it('accepts the document as text and refuses what is not a plan document', () => {
    expect(buildPlanModel(raw('noop.show.json')).counts.noop).toBe(2);
    expect(() => buildPlanModel(raw('error.plan-log.jsonl'))).toThrow(UsageError);
    expect(() => buildPlanModel({ resource_changes: [] })).toThrow(/tofu show -json/);
    expect(() => buildPlanModel('{nope')).toThrow(/does not parse/);
  });

  it('masks a secret copied into a longer, unmarked string (nonsensitive, provider copies)', () => {
    // gen.sh leak: input = nonsensitive("postgres://app:${var.db_password}@db2.internal/search")
    const m = model('leak');
    expect(raw('leak.show.json')).toContain('postgres://app:hunter2-new@db2.internal/search');
    expect(attr(m, 'terraform_data.dsn', 'input')).toEqual({ path: 'input', after: '(sensitive)' });
    expect(JSON.stringify(m)).not.toContain('hunter2');
  });

  it('masks a secret that a provider error quotes, in stderr and in the -json log, keeping the message', () => {
    for (const log of ['leak.stderr.txt', 'leak.plan-log.jsonl']) {
      expect(raw(log)).toContain('Given Value: hunter2-new');
      const m = model('leak', raw(log));
      expect(JSON.stringify(m), log).not.toContain('hunter2');
      expect(m.errors, log).toHaveLength(1);
      expect(m.errors[0]?.summary, log).toBe('Invalid RFC3339 String Value');
      expect(m.errors[0]?.detail, log).toContain('Given Value: (sensitive)');
      expect(m.errors[0]?.detail, log).toContain('parsing time "(sensitive)" as "2006-01-02T15:04:05Z07:00"');
    }
  });

  it('counts a forget (removed block, destroy = false) in the summary and as a change', () => {
    const m = model('forget');
    expect(m.counts).toMatchObject({ forget: 1, noop: 1, create: 0, update: 0, delete: 0 });
    expect(m.resources.map((r) => [r.address, r.action])).toEqual([['terraform_data.handed_over', 'forget']]);
    expect(m.hasChanges).toBe(true);
    expect(m.destructive).toBe(false);
    expect(changeSummary(m.counts)).toBe('+0 ~0 -0 forget 1');
  });

  it('keeps an action it does not know yet, counted as other, never folded into no-op', () => {
    // the real forget plan with its action list replaced by one no engine writes today
    const doc = JSON.parse(raw('forget.show.json'));
    const rc = doc.resource_changes.find(
      (r: { address: string }) => r.address === 'terraform_data.handed_over',
    );
    rc.change.actions = ['frobnicate'];
    const m = buildPlanModel(doc);
    expect(m.counts.other).toEqual({ frobnicate: 1 });
    expect(m.counts.noop).toBe(1);
    expect(m.resources.map((r) => [r.address, r.action, r.actions])).toEqual([
      ['terraform_data.handed_over', 'other', ['frobnicate']],
    ]);
    expect(m.hasChanges).toBe(true);
    expect(changeSummary(m.counts)).toBe('+0 ~0 -0 other: frobnicate 1');
    rc.change.actions = ['delete', 'frobnicate'];
    expect(changeSummary(buildPlanModel(doc).counts)).toBe('+0 ~0 -0 other: delete+frobnicate 1');
  });

  it('summarises counts as +create ~update -delete, with ± for replacements', () => {
    expect(changeSummary(model('replace').counts)).toBe('+0 ~0 -0 ±3');
    expect(changeSummary(model('create').counts)).toBe('+7 ~0 -0');
  });
});
