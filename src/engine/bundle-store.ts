import type { AwsCredentials } from '../auth/aws.ts';
import type { StateLocation } from '../config/targets.ts';
import { UsageError } from '../util/errors.ts';
import type { SandboxEndpoint } from './backend-config.ts';
import type { ApplyRecord, BundleRecords, BundleStore } from './bundle-contract.ts';

// The store contract (references, record keys, the BundleStore interface) lives in
// bundle-contract.ts, which the S3 and GCS stores import: this module picks one of them, so
// they must not import it back.
export {
  type ApplyRecord,
  type BundleRecords,
  type BundleRef,
  type BundleStore,
  bundleRef,
  claimKey,
  parseRecordKey,
  resultKey,
} from './bundle-contract.ts';

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
