/**
 * The plan model: what a `tofu show -json <planfile>` document says, reduced to what people
 * review (counts, per-resource actions and attribute diffs, moves, imports, outputs, drift,
 * errors) with every sensitive value already masked. It is stored in plan bundles and
 * rendered into PR comments and job summaries; it never holds a secret, so it can be
 * shown anywhere. Policy engines read the raw plan JSON, not this.
 */
import { UsageError } from '../util/errors.ts';
import { attributeDiff } from './attribute-diff.ts';
import { type PlanDiagnostic, parsePlanDiagnostics } from './diagnostics.ts';
import { assertPlanText, parseErrorMessage } from './encoding.ts';
import { clip, displayValue, SecretSet } from './values.ts';

export type { PlanDiagnostic } from './diagnostics.ts';
export { parsePlanDiagnostics } from './diagnostics.ts';
export { SENSITIVE, UNKNOWN } from './values.ts';

/** Bumped when the shape changes incompatibly (plan bundles carry the model). */
export const PLAN_MODEL_VERSION = 1;
/** Attribute changes kept per resource; the rest are counted in `attributesOmitted`. */
export const MAX_ATTRIBUTES = 200;

/**
 * One action per resource: tofu's action lists collapsed ("delete","create" → replace).
 * `other` is an action list this model does not know yet (a newer engine's): it is kept,
 * counted and shown with its own words, never folded into no-op.
 */
export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget' | 'other';

export interface PlanCounts {
  create: number;
  update: number;
  delete: number;
  replace: number;
  read: number;
  noop: number;
  forget: number;
  /** Resources being imported (they also count under their action, usually no-op). */
  import: number;
  /** Resources whose address changes through a `moved` block. */
  move: number;
  /** Resources with an action list this model does not know, by that list ("a+b"). */
  other?: Record<string, number>;
}

export interface AttributeChange {
  /** Path inside the resource: `input.env.LOG_LEVEL`, `tags["team"]`, `ingress[0].port`. */
  path: string;
  /** Display form before the change (absent when the attribute is new). */
  before?: string;
  /** Display form after the change (absent when the attribute goes away). */
  after?: string;
  /** This attribute forces the replacement (from `replace_paths`). */
  forcesReplacement?: boolean;
}

export interface ResourceChange {
  address: string;
  /** Address before a `moved` block (`previous_address`). */
  previousAddress?: string;
  module?: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  provider: string;
  action: ChangeAction;
  /** tofu's own action list, e.g. ["create","delete"] for create-before-destroy. */
  actions: string[];
  actionReason?: string;
  importing?: { id?: string };
  deposed?: string;
  /** Changed attributes with masked values, ordered by path. */
  attributes: AttributeChange[];
  attributesOmitted?: number;
}

export interface OutputChange {
  name: string;
  action: ChangeAction;
  before?: string;
  after?: string;
  sensitive: boolean;
}

export interface PlanModel {
  version: typeof PLAN_MODEL_VERSION;
  /** `terraform_version` of the document (OpenTofu reports its own version there). */
  engineVersion: string;
  formatVersion: string;
  /** The plan stopped on an error; its changes are incomplete and cannot be applied. */
  errored: boolean;
  counts: PlanCounts;
  /** Every resource that changes, moves or is imported (plain no-ops are only counted). */
  resources: ResourceChange[];
  outputs: OutputChange[];
  /** Changes made outside tofu, found by refresh (`resource_drift`). */
  drift: ResourceChange[];
  errors: PlanDiagnostic[];
  /** Applying would change something: resources, moves, imports, forgets or outputs. */
  hasChanges: boolean;
  /** Something is deleted or replaced. */
  destructive: boolean;
}

export interface BuildOptions {
  /**
   * Captured plan output (the `-json` log or stderr text) whose diagnostics join `errors`;
   * the show document itself only carries failed checks.
   */
  diagnostics?: string;
}

// --- the parts of the `tofu show -json` format read here -------------------------------------

interface RawChange {
  actions?: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: unknown[][];
  importing?: { id?: string } | null;
}

interface RawResourceChange {
  address?: string;
  index?: unknown;
  previous_address?: string;
  module_address?: string;
  mode?: string;
  type?: string;
  name?: string;
  provider_name?: string;
  deposed?: string;
  action_reason?: string;
  change?: RawChange;
}

interface RawCheck {
  status?: string;
  address?: { to_display?: string };
  instances?: { address?: { to_display?: string }; status?: string; problems?: { message?: string }[] }[];
}

interface RawPlan {
  format_version?: string;
  terraform_version?: string;
  errored?: boolean;
  resource_changes?: RawResourceChange[];
  resource_drift?: RawResourceChange[];
  output_changes?: Record<string, RawChange>;
  checks?: RawCheck[];
  variables?: Record<string, { value?: unknown }>;
  configuration?: { root_module?: { variables?: Record<string, { sensitive?: boolean }> } };
  prior_state?: { values?: { root_module?: RawStateModule } };
}

interface RawStateModule {
  resources?: { address?: string; mode?: string; type?: string; name?: string; values?: unknown }[];
  child_modules?: RawStateModule[];
}

const SINGLE: ReadonlySet<string> = new Set(['create', 'update', 'delete', 'read', 'forget', 'no-op']);

export function collapseActions(actions: string[] | undefined): ChangeAction {
  const a = actions ?? [];
  if (a.length === 2 && a.includes('delete') && a.includes('create')) return 'replace';
  if (a.length === 0) return 'no-op';
  const first = a[0] as string;
  if (a.length === 1 && SINGLE.has(first)) return first as ChangeAction;
  return 'other';
}

/** How an unknown action list is named in counts and headers: "frobnicate", "a+b". */
export const actionKey = (actions: string[] | undefined): string => (actions ?? []).join('+') || '(none)';

function pathKey(path: unknown[]): string {
  let out = '';
  for (const k of path) out = typeof k === 'number' ? `${out}[${k}]` : out === '' ? String(k) : `${out}.${k}`;
  return out;
}

/** Collect every sensitive value so unmarked copies of it can be masked too. */
function collectSecrets(plan: RawPlan): SecretSet {
  const secrets = new SecretSet();
  const fromChange = (c: RawChange | undefined) => {
    if (!c) return;
    secrets.collect(c.before, c.before_sensitive);
    secrets.collect(c.after, c.after_sensitive);
  };
  for (const rc of plan.resource_changes ?? []) fromChange(rc.change);
  for (const rc of plan.resource_drift ?? []) fromChange(rc.change);
  for (const oc of Object.values(plan.output_changes ?? {})) fromChange(oc);
  const declared = plan.configuration?.root_module?.variables ?? {};
  for (const [name, v] of Object.entries(plan.variables ?? {})) {
    if (declared[name]?.sensitive) secrets.addAll(v.value);
  }
  return secrets;
}

function diffAttributes(c: RawChange, secrets: SecretSet): AttributeChange[] {
  const forcing = (c.replace_paths ?? []).map(pathKey);
  return attributeDiff(c, secrets).map((e) => {
    const change: AttributeChange = e;
    if (forcing.some((f) => e.path === f || e.path.startsWith(`${f}.`) || e.path.startsWith(`${f}[`))) {
      change.forcesReplacement = true;
    }
    return change;
  });
}

/**
 * `module.a["x"].aws_s3_bucket.docs[0]` from the parts of a change. Terraform 0.15–1.0.0 wrote
 * resource_drift entries without `address` (fixed in 1.0.1); they carry module_address, mode,
 * type and name (and no index, so an instance key is only known when `index` is present).
 */
export function addressOf(rc: RawResourceChange): string {
  if (rc.address) return rc.address;
  if (!rc.type || !rc.name) return '(unknown address)';
  const key =
    rc.index === undefined || rc.index === null
      ? ''
      : typeof rc.index === 'number'
        ? `[${rc.index}]`
        : `[${JSON.stringify(String(rc.index))}]`;
  const local = `${rc.mode === 'data' ? 'data.' : ''}${rc.type}.${rc.name}${key}`;
  return rc.module_address ? `${rc.module_address}.${local}` : local;
}

const resourceKey = (module: string | undefined, mode: string | undefined, type?: string, name?: string) =>
  `${module ?? ''}|${mode === 'data' ? 'data' : 'managed'}|${type ?? ''}|${name ?? ''}`;

/**
 * The full address of a drift entry that has none (Terraform 0.15–1.0.0), instance key
 * included where the rest of the plan tells it: the only instance of that resource; for a
 * changed object, the refreshed instance (prior_state) holding exactly its new value; for a
 * deleted one, the only instance refresh found gone (its planned change starts from null).
 * Otherwise the resource address without a key.
 */
function driftAddress(rc: RawResourceChange, plan: RawPlan): string {
  const base = addressOf(rc);
  if (rc.address || (rc.index !== undefined && rc.index !== null) || !rc.type || !rc.name) return base;
  const key = resourceKey(rc.module_address, rc.mode, rc.type, rc.name);
  const changes = (plan.resource_changes ?? []).filter(
    (x) => x.address && resourceKey(x.module_address, x.mode, x.type, x.name) === key,
  );
  const state: { address: string; values?: unknown }[] = [];
  const walk = (m: RawStateModule | undefined, module: string) => {
    for (const r of m?.resources ?? []) {
      if (r.address && resourceKey(module || undefined, r.mode, r.type, r.name) === key)
        state.push({ address: r.address, values: r.values });
    }
    for (const child of m?.child_modules ?? []) {
      const address = (child as { address?: string }).address ?? '';
      walk(child, address);
    }
  };
  walk(plan.prior_state?.values?.root_module, '');
  const known = [...new Set([...changes.map((x) => x.address as string), ...state.map((x) => x.address)])];
  const only = (list: string[]) => (list.length === 1 ? list[0] : undefined);
  const after = rc.change?.after;
  const found =
    only(known) ??
    (after === null || after === undefined
      ? only(
          changes
            .filter((x) => x.change?.before === null || x.change?.before === undefined)
            .map((x) => x.address as string),
        )
      : only(state.filter((x) => sameValue(x.values, after)).map((x) => x.address)));
  return found ?? base;
}

function toResource(rc: RawResourceChange, secrets: SecretSet, address = addressOf(rc)): ResourceChange {
  const c = rc.change ?? {};
  const action = collapseActions(c.actions);
  const attributes = diffAttributes(c, secrets);
  const r: ResourceChange = {
    address,
    mode: rc.mode === 'data' ? 'data' : 'managed',
    type: rc.type ?? '',
    name: rc.name ?? '',
    provider: rc.provider_name ?? '',
    action,
    actions: c.actions ?? [],
    attributes: attributes.slice(0, MAX_ATTRIBUTES),
  };
  if (attributes.length > MAX_ATTRIBUTES) r.attributesOmitted = attributes.length - MAX_ATTRIBUTES;
  if (rc.previous_address && rc.previous_address !== rc.address) r.previousAddress = rc.previous_address;
  if (rc.module_address) r.module = rc.module_address;
  if (rc.action_reason) r.actionReason = rc.action_reason;
  if (rc.deposed) r.deposed = rc.deposed;
  if (c.importing)
    r.importing = c.importing.id === undefined ? {} : { id: clip(String(c.importing.id), 200) };
  return r;
}

function toOutput(name: string, c: RawChange, secrets: SecretSet): OutputChange {
  const action = collapseActions(c.actions);
  const sensitive = c.before_sensitive === true || c.after_sensitive === true;
  const out: OutputChange = { name, action, sensitive };
  if (action !== 'create') out.before = displayValue(c.before, c.before_sensitive, false, secrets);
  if (action !== 'delete') out.after = displayValue(c.after, c.after_sensitive, c.after_unknown, secrets);
  return out;
}

function failedChecks(plan: RawPlan): PlanDiagnostic[] {
  const out: PlanDiagnostic[] = [];
  for (const check of plan.checks ?? []) {
    for (const inst of check.instances ?? []) {
      if (inst.status !== 'fail' && inst.status !== 'error') continue;
      const address = inst.address?.to_display ?? check.address?.to_display;
      for (const p of inst.problems ?? []) {
        out.push({
          severity: 'error',
          summary: `${inst.status === 'fail' ? 'Check failed' : 'Check errored'}${address ? `: ${address}` : ''}`,
          detail: p.message ?? '',
          ...(address ? { address } : {}),
        });
      }
    }
  }
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function maskDiagnostic(d: PlanDiagnostic, secrets: SecretSet): PlanDiagnostic {
  // a provider's error may quote the value it was given ("Given Value: …"): cut the value out
  const mask = (s: string) => secrets.redact(s);
  return {
    ...d,
    summary: mask(d.summary),
    ...(d.detail === undefined ? {} : { detail: clip(mask(d.detail), 4_000) }),
    ...(d.address === undefined ? {} : { address: mask(d.address) }),
  };
}

function assertPlanDocument(doc: unknown): asserts doc is RawPlan {
  const ok =
    doc !== null &&
    typeof doc === 'object' &&
    !Array.isArray(doc) &&
    typeof (doc as RawPlan).format_version === 'string' &&
    ((doc as RawPlan).resource_changes === undefined || Array.isArray((doc as RawPlan).resource_changes));
  if (!ok) {
    throw new UsageError(
      'not a plan document: expected the JSON object that `tofu show -json <planfile>` prints (with format_version)',
      'pass the output of `tofu show -json plan.tfplan`, not the -json log of `tofu plan`',
    );
  }
}

const ORDER: Record<ChangeAction, number> = {
  delete: 0,
  replace: 1,
  create: 2,
  update: 3,
  forget: 4,
  other: 5,
  read: 6,
  'no-op': 7,
};

/** Build the model from a parsed `tofu show -json` document (or its text). */
export function buildPlanModel(showJson: unknown, options: BuildOptions = {}): PlanModel {
  const plan = typeof showJson === 'string' ? parseJson(showJson) : showJson;
  assertPlanDocument(plan);
  const secrets = collectSecrets(plan);
  const counts: PlanCounts = {
    create: 0,
    update: 0,
    delete: 0,
    replace: 0,
    read: 0,
    noop: 0,
    forget: 0,
    import: 0,
    move: 0,
  };
  const resources: ResourceChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const action = collapseActions(rc.change?.actions);
    if (action === 'other') {
      const key = actionKey(rc.change?.actions);
      counts.other ??= {};
      counts.other[key] = (counts.other[key] ?? 0) + 1;
    } else counts[action === 'no-op' ? 'noop' : action]++;
    const moved = rc.previous_address !== undefined && rc.previous_address !== rc.address;
    const importing = Boolean(rc.change?.importing);
    if (moved) counts.move++;
    if (importing) counts.import++;
    if (action === 'no-op' && !moved && !importing) continue;
    resources.push(toResource(rc, secrets));
  }
  resources.sort((a, b) => ORDER[a.action] - ORDER[b.action] || a.address.localeCompare(b.address));
  const outputs = Object.entries(plan.output_changes ?? {})
    .map(([name, c]) => toOutput(name, c, secrets))
    .filter((o) => o.action !== 'no-op')
    .sort((a, b) => a.name.localeCompare(b.name));
  // Terraform 0.15–1.0.0 listed every resource in state once anything drifted, unchanged
  // ones included (as "update"): an entry whose before equals its after is not drift. Nor is
  // an attribute that was null and is read back empty (tags = {} from the AWS API).
  const drift = (plan.resource_drift ?? [])
    .filter((rc) => !sameValue(emptyAsNull(rc.change?.before), emptyAsNull(rc.change?.after)))
    .map((rc) => toResource(rc, secrets, driftAddress(rc, plan)))
    .sort((a, b) => a.address.localeCompare(b.address));
  const captured = options.diagnostics ? parsePlanDiagnostics(options.diagnostics) : [];
  // a failed check is also in the captured log, with its location: keep that one
  const checks = failedChecks(plan).filter(
    (c) => !captured.some((d) => c.detail && squash(d.detail ?? '').includes(squash(c.detail))),
  );
  const errors = [
    ...captured.filter((d) => d.severity === 'error'),
    ...checks,
    ...captured.filter((d) => d.severity !== 'error'),
  ].map((d) => maskDiagnostic(d, secrets));
  const errored = plan.errored === true || errors.some((e) => e.severity === 'error');
  if (plan.errored === true && !errors.some((e) => e.severity === 'error')) {
    errors.unshift({ severity: 'error', summary: 'The plan stopped on an error; see the plan step log' });
  }
  const hasChanges =
    counts.create +
      counts.update +
      counts.delete +
      counts.replace +
      counts.forget +
      otherCount(counts) +
      counts.import +
      counts.move >
      0 || outputs.length > 0;
  return {
    version: PLAN_MODEL_VERSION,
    engineVersion: plan.terraform_version ?? 'unknown',
    formatVersion: plan.format_version ?? 'unknown',
    errored,
    counts,
    resources,
    outputs,
    drift,
    errors,
    hasChanges,
    destructive: counts.delete + counts.replace > 0,
  };
}

function parseJson(text: string): unknown {
  const body = assertPlanText(text);
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new UsageError(
      `plan JSON does not parse: ${parseErrorMessage(err)}`,
      'pass the output of `tofu show -json plan.tfplan`',
    );
  }
}

/** Deep equality of two JSON values (key order ignored). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b as object, k) &&
        sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** `value` with empty objects and lists (at any depth) as null, for drift comparisons. */
function emptyAsNull(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(emptyAsNull);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k, emptyAsNull(v)] as const)
      .filter(([, v]) => v !== null);
    return entries.length === 0 ? null : Object.fromEntries(entries);
  }
  return value;
}

/** Resources whose action list the model does not know, in total. */
export function otherCount(c: PlanCounts): number {
  return Object.values(c.other ?? {}).reduce((a, b) => a + b, 0);
}

/**
 * `+2 ~1 -0` as shown in tables, with `±n` when something is replaced, `forget n` when
 * resources leave the state without being destroyed, and `other: <action> n` for an action
 * list the model does not know (so nothing a newer engine plans is silently dropped).
 */
export function changeSummary(c: PlanCounts): string {
  const parts = [`+${c.create}`, `~${c.update}`, `-${c.delete}`];
  if (c.replace > 0) parts.push(`±${c.replace}`);
  if (c.forget > 0) parts.push(`forget ${c.forget}`);
  for (const [action, n] of Object.entries(c.other ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    parts.push(`other: ${action} ${n}`);
  return parts.join(' ');
}
