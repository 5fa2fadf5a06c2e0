import type { AwsCredentials } from '../auth/aws.ts';
import type { StateLocation } from '../config/targets.ts';
import { UsageError } from '../util/errors.ts';
import type { SandboxEndpoint } from './backend-config.ts';

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

export type ApplyDecision =
  | { action: 'apply'; claim: number }
  | { action: 'skip'; reason: string; record: ApplyRecord }
  | { action: 'refuse'; reason: string };

const who = (r: ApplyRecord) =>
  `run ${r.runId} attempt ${r.runAttempt} (merge ${r.mergeSha.slice(0, 12)}, ${r.at})`;

/**
 * What to do with a bundle given its records: apply it (as claim n), skip it (already applied:
 * a later run catching up on merges), or refuse (failed, or claimed and never finished). A
 * claim whose result says `not-started` (state lock held, init failed) gives the bundle back.
 */
export function decideApply(records: BundleRecords): ApplyDecision {
  for (const c of records.claims) {
    if (c.result?.status === 'applied') {
      return { action: 'skip', reason: `already applied by ${who(c.result)}`, record: c.result };
    }
    if (c.result?.status === 'failed') {
      return {
        action: 'refuse',
        reason: `this plan failed to apply in ${who(c.result)}${c.result.detail ? `: ${c.result.detail}` : ''}; a bundle is spent once the engine ran`,
      };
    }
    if (!c.result || c.result.status === 'applying') {
      return {
        action: 'refuse',
        reason: `${who(c.claim)} claimed this plan and recorded no outcome (cancelled or crashed mid-apply); resources may have changed`,
      };
    }
  }
  return { action: 'apply', claim: records.claims.length + 1 };
}

/** The store for a stack's state backend. */
export async function bundleStoreFor(
  state: StateLocation,
  credentials: { aws?: AwsCredentials; gcpAccessToken?: () => Promise<string> },
  sandbox?: SandboxEndpoint,
): Promise<BundleStore> {
  if (state.backend === 's3') {
    const { S3BundleStore } = await import('./s3-bundle-store.ts');
    return new S3BundleStore(state, credentials.aws, sandbox);
  }
  const token = credentials.gcpAccessToken;
  if (!token) {
    throw new UsageError(
      `plan bundles in gs://${state.bucket} need the service account's access token, and this session has none`,
      'CI sessions (openFederatedSession) provide it; a laptop plan of a GCP stack keeps its plan local',
    );
  }
  const { GcsBundleStore } = await import('./gcs-bundle-store.ts');
  return new GcsBundleStore(state, token, sandbox);
}
