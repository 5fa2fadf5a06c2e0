import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { AwsCredentials } from '../auth/aws.ts';
import type { StateLocation } from '../config/targets.ts';
import { UsageError } from '../util/errors.ts';
import type { SandboxEndpoint } from './backend-config.ts';

/**
 * Plan bundles live where the team's state lives: the team's own bucket (same account, same
 * encryption, same access boundary), under `<plans_prefix><stack id>/<head sha>/`:
 *   bundle.tar    the bundle (server-side encrypted; KMS when the registry names a key)
 *   applied.json  the apply marker, created with If-None-Match: * so one bundle applies once
 */
export interface BundleLocation {
  bucket: string;
  key: string;
  markerKey: string;
}

export function bundleLocation(state: StateLocation, stackId: string, headSha: string): BundleLocation {
  if (!/^[0-9a-f]{40}$/i.test(headSha)) {
    throw new UsageError(`"${headSha}" is not a full commit sha`, 'pass the 40-character head sha of the PR');
  }
  const base = `${state.plansPrefix}${stackId}/${headSha.toLowerCase()}/`;
  return { bucket: state.bucket, key: `${base}bundle.tar`, markerKey: `${base}applied.json` };
}

export interface ApplyMarker {
  status: 'applying' | 'applied' | 'failed';
  bundleSha256: string;
  runId: string;
  mergeSha: string;
  at: string;
  detail?: string;
}

interface S3ErrorLike {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}
const s3Code = (err: unknown) => {
  const e = err as S3ErrorLike;
  return e.Code ?? e.name ?? String(e.$metadata?.httpStatusCode ?? 'Error');
};

export class BundleStore {
  private readonly s3: S3Client;

  constructor(
    private readonly state: StateLocation,
    credentials: AwsCredentials | undefined,
    sandbox?: SandboxEndpoint,
  ) {
    if (state.backend !== 's3') {
      throw new UsageError(
        `plan bundles for ${state.backend} state are not implemented yet`,
        'GCP stacks can plan; applying reviewed bundles needs the GCS bundle store',
      );
    }
    const config: S3ClientConfig = { region: state.region, maxAttempts: 3 };
    if (credentials) config.credentials = credentials;
    if (sandbox) {
      config.endpoint = sandbox.url;
      config.forcePathStyle = true;
    }
    this.s3 = new S3Client(config);
  }

  private encryption(): Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId'> {
    return this.state.kmsKeyId
      ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.state.kmsKeyId }
      : { ServerSideEncryption: 'AES256' };
  }

  async put(loc: BundleLocation, bytes: Buffer, sha256Hex: string): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: loc.bucket,
          Key: loc.key,
          Body: bytes,
          ContentType: 'application/x-tar',
          // S3 verifies this on receipt; the same value comes back on every GET.
          ChecksumSHA256: Buffer.from(sha256Hex, 'hex').toString('base64'),
          Metadata: { 'idlc-sha256': sha256Hex },
          ...this.encryption(),
        }),
      );
    } catch (err) {
      throw new UsageError(
        `cannot store the plan bundle at s3://${loc.bucket}/${loc.key}: ${s3Code(err)}: ${(err as Error).message}`,
        'the plan role needs s3:PutObject on the plans prefix of the team state bucket (the state-bucket module grants it)',
      );
    }
  }

  async get(loc: BundleLocation, stackId: string): Promise<Buffer> {
    try {
      const out = await this.s3.send(
        new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key, ChecksumMode: 'ENABLED' }),
      );
      const bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
      if (out.ChecksumSHA256) {
        const got = createHash('sha256').update(bytes).digest('base64');
        if (got !== out.ChecksumSHA256) {
          throw new UsageError(
            `stack ${stackId}: the plan bundle s3://${loc.bucket}/${loc.key} does not match its stored checksum`,
            're-run the apply job; if it persists, re-run the plan',
          );
        }
      }
      return bytes;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = s3Code(err);
      if (code === 'NoSuchKey' || code === '404') {
        throw new UsageError(
          `stack ${stackId}: no plan bundle at s3://${loc.bucket}/${loc.key}`,
          'the stack was not planned at the PR head commit (did the plan job succeed?). Re-run the PR plan, then the apply',
        );
      }
      throw new UsageError(
        `stack ${stackId}: cannot read the plan bundle s3://${loc.bucket}/${loc.key}: ${code}`,
        'the apply role needs s3:GetObject on the plans prefix of the team state bucket',
      );
    }
  }

  async readMarker(loc: BundleLocation): Promise<ApplyMarker | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.markerKey }));
      return JSON.parse((await out.Body?.transformToString()) ?? '{}') as ApplyMarker;
    } catch (err) {
      const code = s3Code(err);
      if (code === 'NoSuchKey' || code === '404') return undefined;
      throw new UsageError(`cannot read the apply marker s3://${loc.bucket}/${loc.markerKey}: ${code}`);
    }
  }

  /**
   * Claim the bundle for this run: create the marker only if none exists (S3 conditional write).
   * Two runs racing to apply one bundle: exactly one wins, the other is refused.
   */
  async claim(loc: BundleLocation, marker: ApplyMarker, stackId: string): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: loc.bucket,
          Key: loc.markerKey,
          Body: JSON.stringify(marker),
          ContentType: 'application/json',
          IfNoneMatch: '*',
          ...this.encryption(),
        }),
      );
    } catch (err) {
      const code = s3Code(err);
      if (code === 'PreconditionFailed' || code === '412' || code === 'ConditionalRequestConflict') {
        throw alreadyApplied(stackId, loc, await this.readMarker(loc));
      }
      throw new UsageError(`cannot write the apply marker s3://${loc.bucket}/${loc.markerKey}: ${code}`);
    }
  }

  /** Record the outcome (we own the marker now). */
  async finish(loc: BundleLocation, marker: ApplyMarker): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: loc.bucket,
        Key: loc.markerKey,
        Body: JSON.stringify(marker),
        ContentType: 'application/json',
        ...this.encryption(),
      }),
    );
  }

  /** Give the claim back when the engine provably changed nothing (state locked elsewhere). */
  async release(loc: BundleLocation): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: loc.markerKey }));
  }

  destroy(): void {
    this.s3.destroy();
  }
}

export function alreadyApplied(stackId: string, loc: BundleLocation, m: ApplyMarker | undefined): UsageError {
  const what = m
    ? `${m.status === 'applying' ? 'is being applied' : m.status === 'failed' ? 'already failed to apply' : 'was already applied'} by run ${m.runId} (merge ${m.mergeSha.slice(0, 12)}, ${m.at})`
    : 'was already applied';
  return new UsageError(
    `stack ${stackId}: refusing to apply: this plan bundle ${what} (marker s3://${loc.bucket}/${loc.markerKey})`,
    'a reviewed plan applies at most once. To change the stack again, open a PR and let it plan',
  );
}
