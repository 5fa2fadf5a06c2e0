import type { StateLocation } from '../config/targets.ts';
import { UsageError } from '../util/errors.ts';

/**
 * Plan bundles live where the team's state lives (same account, same encryption, same access
 * boundary), content-addressed and written once, under `<plans_prefix><stack id>/`:
 *   <sha256>.tar                 the bundle; its name is the sha256 of its bytes
 *   <sha256>.claim.<n>.json      the n-th apply claim (created with If-None-Match: *)
 *   <sha256>.result.<n>.json     the outcome of claim n (created with If-None-Match: *)
 * Nothing here is ever overwritten or deleted by a CI role: the state-backend bucket policy
 * denies unconditional writes and deletes under the prefix, so neither a PR's plan role nor a
 * team's applied Terraform can swap a reviewed bundle or erase the record that it was applied.
 */
export interface BundleRef {
  bucket: string;
  key: string;
  sha256: string;
}

/** What one apply attempt recorded about a bundle. */
export interface ApplyRecord {
  /** applying: claimed; applied/failed: the engine ran; not-started: refused before any change. */
  status: 'applying' | 'applied' | 'failed' | 'not-started';
  bundleSha256: string;
  runId: string;
  runAttempt: string;
  mergeSha: string;
  pullRequest?: number;
  at: string;
  detail?: string;
}

export interface BundleRecords {
  /** Claims in order (claim n at index n-1) with the result recorded for each, if any. */
  claims: { n: number; claim: ApplyRecord; result?: ApplyRecord }[];
}

/** Storage for plan bundles and their apply records, chosen by the stack's state backend. */
export interface BundleStore {
  /** Store a bundle (conditional create). The same bytes already there count as stored. */
  put(stackId: string, bytes: Buffer, sha256: string): Promise<BundleRef>;
  /** The bytes at a reference; the caller checks their sha256 against its anchor. */
  get(ref: BundleRef, stackId: string): Promise<Buffer>;
  records(ref: BundleRef): Promise<BundleRecords>;
  /** Create claim n; false when another run created it first (re-read and decide again). */
  createClaim(ref: BundleRef, n: number, record: ApplyRecord): Promise<boolean>;
  /** Record the outcome of claim n (conditional create). */
  createResult(ref: BundleRef, n: number, record: ApplyRecord): Promise<void>;
  destroy(): void;
}

const SHA = /^[0-9a-f]{64}$/;

function stackPrefix(state: StateLocation, stackId: string): string {
  if (!/^[a-z0-9][a-z0-9/._-]*$/.test(stackId) || stackId.includes('..')) {
    throw new UsageError(`"${stackId}" is not a stack id`, 'stack ids look like aws/<team>/<env>[/<stack>]');
  }
  return `${state.plansPrefix}${stackId}/`;
}

export function bundleRef(state: StateLocation, stackId: string, sha256: string): BundleRef {
  const sha = sha256.toLowerCase();
  if (!SHA.test(sha)) {
    throw new UsageError(`"${sha256}" is not a sha256`, 'bundles are named by the sha256 of their bytes');
  }
  return { bucket: state.bucket, key: `${stackPrefix(state, stackId)}${sha}.tar`, sha256: sha };
}

export const claimKey = (ref: BundleRef, n: number) => ref.key.replace(/\.tar$/, `.claim.${n}.json`);
export const resultKey = (ref: BundleRef, n: number) => ref.key.replace(/\.tar$/, `.result.${n}.json`);
/** Which record a key below the stack prefix is: `<sha>.claim.3.json` → claim 3. */
export function parseRecordKey(
  ref: BundleRef,
  key: string,
): { kind: 'claim' | 'result'; n: number } | undefined {
  const base = ref.key.replace(/\.tar$/, '');
  if (!key.startsWith(`${base}.`)) return undefined;
  const m = /^\.(claim|result)\.([1-9]\d{0,5})\.json$/.exec(key.slice(base.length));
  return m ? { kind: m[1] as 'claim' | 'result', n: Number(m[2]) } : undefined;
}
