/**
 * Attribute-level diff of one resource change, walked structurally over before/after and
 * their sensitive/unknown markers so that a subtree that becomes unknown or sensitive shows
 * as one line (`output: {…} → (known after apply)`), not as many removed leaves.
 */
import {
  displayValue,
  isObject,
  joinPath,
  type Marker,
  markerChild,
  SENSITIVE,
  type SecretSet,
  UNKNOWN,
  unknownKeys,
} from './values.ts';

export interface AttributeDiffEntry {
  path: string;
  before?: string;
  after?: string;
}

const ABSENT = Symbol('absent');
type Side = unknown | typeof ABSENT;

interface Walk {
  secrets: SecretSet;
  out: AttributeDiffEntry[];
}

/** Path shown when the whole resource value is sensitive or unknown. */
const WHOLE = '(all attributes)';

function kind(v: Side): 'object' | 'array' | 'scalar' | 'absent' {
  if (v === ABSENT || v === null || v === undefined) return 'absent';
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  return 'scalar';
}

function leafKey(v: Side, sens: Marker, unk: Marker): string {
  if (unk === true) return 'u';
  const raw = v === ABSENT || v === undefined ? 'null' : JSON.stringify(v);
  return sens === true ? `s:${raw}` : `v:${raw}`;
}

function show(v: Side, sens: Marker, unk: Marker, secrets: SecretSet): string {
  if (sens === true) return SENSITIVE;
  if (unk === true) return UNKNOWN;
  return displayValue(v === ABSENT ? null : v, sens, unk, secrets);
}

function emitLeaf(w: Walk, path: string, b: Side, bs: Marker, a: Side, as: Marker, au: Marker): void {
  if (leafKey(b, bs, false) === leafKey(a, as, au)) return;
  const bNull = kind(b) === 'absent' && bs !== true;
  const aNull = kind(a) === 'absent' && as !== true && au !== true;
  if (bNull && aNull) return;
  const entry: AttributeDiffEntry = { path };
  if (!bNull) entry.before = show(b, bs, false, w.secrets);
  if (!aNull) entry.after = show(a, as, au, w.secrets);
  w.out.push(entry);
}

function walk(w: Walk, path: string, b: Side, bs: Marker, a: Side, as: Marker, au: Marker): void {
  const kb = kind(b);
  // an unknown "after" may be an object marker over an absent value (attributes computed later)
  const ka = kind(a) === 'absent' && isObject(au) && unknownKeys(au).length > 0 ? 'object' : kind(a);
  const collapsed = bs === true || as === true || au === true;
  const sameContainer =
    (kb === ka && (kb === 'object' || kb === 'array')) ||
    (kb === 'absent' && (ka === 'object' || ka === 'array')) ||
    (ka === 'absent' && (kb === 'object' || kb === 'array'));
  if (collapsed || !sameContainer) {
    emitLeaf(w, path === '' ? WHOLE : path, b, bs, a, as, au);
    return;
  }
  const container = kb === 'absent' ? ka : kb;
  if (container === 'array') {
    const bl = Array.isArray(b) ? b : [];
    const al = Array.isArray(a) ? a : [];
    if (bl.length === 0 && al.length === 0) {
      if (path !== '') emitLeaf(w, path, b, bs, a, as, au);
      return;
    }
    for (let i = 0; i < Math.max(bl.length, al.length); i++) {
      walk(
        w,
        joinPath(path, i),
        i < bl.length ? bl[i] : ABSENT,
        markerChild(bs, i),
        i < al.length ? al[i] : ABSENT,
        markerChild(as, i),
        markerChild(au, i),
      );
    }
    return;
  }
  const bo = isObject(b) ? b : {};
  const ao = isObject(a) ? a : {};
  const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao), ...unknownKeys(au)])].sort();
  if (keys.length === 0) {
    if (path !== '') emitLeaf(w, path, b, bs, a, as, au);
    return;
  }
  for (const k of keys) {
    walk(
      w,
      joinPath(path, k),
      k in bo ? bo[k] : ABSENT,
      markerChild(bs, k),
      k in ao ? ao[k] : ABSENT,
      markerChild(as, k),
      markerChild(au, k),
    );
  }
}

/** Changed attributes between `before` and `after` (null on create/delete), values masked. */
export function attributeDiff(
  change: {
    before?: unknown;
    after?: unknown;
    before_sensitive?: Marker;
    after_sensitive?: Marker;
    after_unknown?: Marker;
  },
  secrets: SecretSet,
): AttributeDiffEntry[] {
  const w: Walk = { secrets, out: [] };
  walk(
    w,
    '',
    change.before ?? ABSENT,
    change.before_sensitive,
    change.after ?? ABSENT,
    change.after_sensitive,
    change.after_unknown,
  );
  return w.out;
}
