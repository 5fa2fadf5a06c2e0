import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { AwsCredentials } from '../auth/aws.ts';
import type { StateLocation } from '../config/targets.ts';
import { UsageError } from '../util/errors.ts';
import type { SandboxEndpoint } from './backend-config.ts';
import {
  type ApplyRecord,
  type BundleRecords,
  type BundleRef,
  type BundleStore,
  bundleRef,
  claimKey,
  parseRecordKey,
  resultKey,
} from './bundle-contract.ts';

interface S3ErrorLike {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}
const s3Code = (err: unknown) => {
  const e = err as S3ErrorLike;
  return e.Code ?? e.name ?? String(e.$metadata?.httpStatusCode ?? 'Error');
};
const isConflict = (err: unknown) =>
  ['PreconditionFailed', '412', 'ConditionalRequestConflict'].includes(s3Code(err)) ||
  (err as S3ErrorLike).$metadata?.httpStatusCode === 412;
const isMissing = (err: unknown) => ['NoSuchKey', 'NotFound', '404'].includes(s3Code(err));

/** Bundles in the team's S3 state bucket, every object created with If-None-Match: *. */
export class S3BundleStore implements BundleStore {
  private readonly s3: S3Client;

  constructor(
    private readonly state: StateLocation,
    credentials: AwsCredentials | undefined,
    sandbox?: SandboxEndpoint,
  ) {
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

  /** Create an object only if none exists; false when one does. */
  private async create(key: string, body: Buffer | string, extra: Partial<PutObjectCommandInput>) {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.state.bucket,
          Key: key,
          Body: body,
          IfNoneMatch: '*',
          ...this.encryption(),
          ...extra,
        }),
      );
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  async put(stackId: string, bytes: Buffer, sha256: string): Promise<BundleRef> {
    const ref = bundleRef(this.state, stackId, sha256);
    if (createHash('sha256').update(bytes).digest('hex') !== ref.sha256) {
      throw new UsageError(
        `stack ${stackId}: the bundle bytes do not hash to ${ref.sha256}`,
        'this is a bug in the caller',
      );
    }
    const where = `s3://${ref.bucket}/${ref.key}`;
    let created: boolean;
    try {
      created = await this.create(ref.key, bytes, {
        ContentType: 'application/x-tar',
        // S3 verifies this on receipt and returns it on every GET.
        ChecksumSHA256: Buffer.from(ref.sha256, 'hex').toString('base64'),
      });
    } catch (err) {
      throw new UsageError(
        `stack ${stackId}: cannot store the plan bundle at ${where}: ${s3Code(err)}: ${(err as Error).message}`,
        'the plan role needs s3:PutObject (with If-None-Match) on its env prefix of the plans folder (the github-oidc module grants it)',
      );
    }
    // Same name, same sha256: the same bytes are already stored (a re-run of an identical plan).
    if (!created) {
      const existing = await this.get(ref, stackId);
      if (createHash('sha256').update(existing).digest('hex') !== ref.sha256) {
        throw new UsageError(
          `stack ${stackId}: ${where} already exists with other content than its name says`,
          'someone wrote into the plans folder outside idlc; report it to the platform team and re-run the plan',
        );
      }
    }
    return ref;
  }

  async get(ref: BundleRef, stackId: string): Promise<Buffer> {
    const where = `s3://${ref.bucket}/${ref.key}`;
    try {
      const out = await this.s3.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ChecksumMode: 'ENABLED' }),
      );
      return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
    } catch (err) {
      if (isMissing(err)) {
        throw new UsageError(
          `stack ${stackId}: no plan bundle at ${where}`,
          'the plan run that reported this bundle did not store it (or the bucket lifecycle expired it). Re-run the PR plan, review, then merge',
        );
      }
      throw new UsageError(
        `stack ${stackId}: cannot read the plan bundle ${where}: ${s3Code(err)}`,
        'the apply role needs s3:GetObject on the plans folder of the team state bucket',
      );
    }
  }

  private async readRecord(key: string): Promise<ApplyRecord> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.state.bucket, Key: key }));
    return JSON.parse((await out.Body?.transformToString()) ?? '{}') as ApplyRecord;
  }

  async records(ref: BundleRef): Promise<BundleRecords> {
    const prefix = ref.key.replace(/\.tar$/, '.');
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({ Bucket: ref.bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw new UsageError(
        `cannot list the apply records of s3://${ref.bucket}/${ref.key}: ${s3Code(err)}`,
        'the apply role needs s3:ListBucket on the team state bucket',
      );
    }
    const claims = new Map<number, { n: number; claim?: ApplyRecord; result?: ApplyRecord }>();
    for (const key of keys) {
      const parsed = parseRecordKey(ref, key);
      if (!parsed) continue;
      const entry = claims.get(parsed.n) ?? { n: parsed.n };
      entry[parsed.kind] = await this.readRecord(key);
      claims.set(parsed.n, entry);
    }
    return {
      claims: [...claims.values()]
        .filter((c): c is { n: number; claim: ApplyRecord; result?: ApplyRecord } => Boolean(c.claim))
        .sort((a, b) => a.n - b.n),
    };
  }

  async createClaim(ref: BundleRef, n: number, record: ApplyRecord): Promise<boolean> {
    try {
      return await this.create(claimKey(ref, n), JSON.stringify(record), { ContentType: 'application/json' });
    } catch (err) {
      throw new UsageError(
        `cannot write the apply claim s3://${ref.bucket}/${claimKey(ref, n)}: ${s3Code(err)}`,
        'the apply role needs s3:PutObject (with If-None-Match) on *.claim.*.json in the plans folder',
      );
    }
  }

  async createResult(ref: BundleRef, n: number, record: ApplyRecord): Promise<void> {
    const key = resultKey(ref, n);
    let created: boolean;
    try {
      created = await this.create(key, JSON.stringify(record), { ContentType: 'application/json' });
    } catch (err) {
      throw new UsageError(
        `cannot record the apply result s3://${ref.bucket}/${key}: ${s3Code(err)}`,
        'the apply role needs s3:PutObject (with If-None-Match) on *.result.*.json in the plans folder',
      );
    }
    if (!created) {
      throw new UsageError(
        `the apply result s3://${ref.bucket}/${key} already exists: two runs recorded an outcome for one claim`,
        'report it to the platform team; compare the two runs before applying again',
      );
    }
  }

  destroy(): void {
    this.s3.destroy();
  }
}
