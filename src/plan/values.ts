/**
 * Turning plan values into display strings without leaking secrets.
 *
 * `tofu show -json` gives each value together with two shadow structures of the same shape:
 * `*_sensitive` (true where a value is sensitive) and `after_unknown` (true where a value is
 * only known after apply). A marker is `true` for a whole subtree, or an object/array whose
 * members mark the children.
 *
 * The markers are not enough on their own: a provider that copies a sensitive input into a
 * computed attribute returns it unmarked (tofu 1.12 shows `terraform_data.output` in clear
 * text while `input` is marked). So every sensitive string seen anywhere in the plan is also
 * collected, and any other string equal to or containing one is masked too.
 */

export const SENSITIVE = '(sensitive)';
export const UNKNOWN = '(known after apply)';
/** Longest rendered value kept in the model; the rest is cut with an ellipsis. */
export const MAX_VALUE_CHARS = 1_000;
/** Secrets shorter than this are masked only on exact match, never as substrings. */
const MIN_SUBSTRING_SECRET = 4;

export type Marker = unknown;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function child(marker: Marker, key: string | number): Marker {
  if (marker === true) return true;
  if (Array.isArray(marker)) return typeof key === 'number' ? marker[key] : undefined;
  if (isObject(marker)) return marker[String(key)];
  return undefined;
}

/** Strings that must never appear in output: every sensitive leaf of the plan. */
export class SecretSet {
  private readonly exact = new Set<string>();
  private substrings: string[] = [];

  /** Record every string leaf of `value` under a sensitive marker. */
  collect(value: unknown, marker: Marker): void {
    if (marker === true) {
      this.addAll(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) this.collect(v, child(marker, i));
    } else if (isObject(value)) for (const [k, v] of Object.entries(value)) this.collect(v, child(marker, k));
  }

  addAll(value: unknown): void {
    if (typeof value === 'string') this.add(value);
    // a sensitive flag is not worth masking every other true/false for
    else if (typeof value === 'number') this.exact.add(String(value));
    else if (Array.isArray(value)) for (const v of value) this.addAll(v);
    else if (isObject(value)) for (const v of Object.values(value)) this.addAll(v);
  }

  add(secret: string): void {
    if (secret === '' || this.exact.has(secret)) return;
    this.exact.add(secret);
    if (secret.length >= MIN_SUBSTRING_SECRET) this.substrings.push(secret);
  }

  /** Whether a plain (unmarked) string leaks a secret. */
  leaks(s: string): boolean {
    if (this.exact.has(s)) return true;
    for (const secret of this.substrings) if (s.includes(secret)) return true;
    return false;
  }

  /**
   * `s` with every secret in it replaced by "(sensitive)": for messages (diagnostics), where
   * the words around a value are worth keeping. Secrets are also looked for in their quoted
   * form (JSON/Go %q escaping), as error messages often quote what they were given; longer
   * secrets first, so one that contains another is cut whole.
   */
  redact(s: string): string {
    if (this.exact.has(s)) return SENSITIVE;
    let out = s;
    const forms = this.substrings.flatMap((x) => {
      const quoted = JSON.stringify(x).slice(1, -1);
      return quoted === x ? [x] : [x, quoted];
    });
    for (const secret of forms.sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(SENSITIVE);
    }
    return out;
  }

  get size(): number {
    return this.exact.size;
  }
}

export function clip(s: string, max = MAX_VALUE_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}

/** One scalar as tofu would print it in HCL-ish form: strings quoted, the rest literal. */
function scalar(v: unknown, secrets: SecretSet): string {
  if (typeof v === 'string') return secrets.leaks(v) ? SENSITIVE : clip(JSON.stringify(v));
  if (v === null || v === undefined) return 'null';
  // numbers and booleans: a sensitive number or flag is masked on exact match
  const s = String(v);
  return secrets.leaks(s) && typeof v === 'number' ? SENSITIVE : s;
}

/**
 * A copy of `value` with sensitive parts replaced by "(sensitive)" and unknown parts by
 * "(known after apply)": for output values rendered as a whole.
 */
export function maskValue(value: unknown, sensitive: Marker, unknown: Marker, secrets: SecretSet): unknown {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value)) {
    return value.map((v, i) => maskValue(v, child(sensitive, i), child(unknown, i), secrets));
  }
  if (isObject(value) || isObject(unknown)) {
    const out: Record<string, unknown> = {};
    const keys = new Set([...Object.keys(isObject(value) ? value : {}), ...unknownKeys(unknown)]);
    for (const k of [...keys].sort()) {
      out[k] = maskValue(
        isObject(value) ? value[k] : undefined,
        child(sensitive, k),
        child(unknown, k),
        secrets,
      );
    }
    return out;
  }
  if (typeof value === 'string' && secrets.leaks(value)) return SENSITIVE;
  return value;
}

/** Render a masked value compactly on one line (used for outputs and collapsed subtrees). */
export function displayValue(value: unknown, sensitive: Marker, unknown: Marker, secrets: SecretSet): string {
  const masked = maskValue(value, sensitive, unknown, secrets);
  if (masked === SENSITIVE || masked === UNKNOWN) return masked;
  if (masked === undefined) return 'null';
  if (typeof masked !== 'object' || masked === null) return scalar(masked, secrets);
  return clip(JSON.stringify(masked));
}

function unknownKeys(unknown: Marker): string[] {
  return isObject(unknown) ? Object.keys(unknown).filter((k) => unknown[k] !== false) : [];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `input.env.LOG_LEVEL`, `tags["kubernetes.io/role"]`, `ingress[0].port`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (IDENT.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

export { child as markerChild, isObject, unknownKeys };
