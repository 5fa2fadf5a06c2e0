import { createHash, randomBytes } from 'node:crypto';
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

/**
 * Bundles in the team's GCS state bucket through the Cloud Storage JSON API (plain fetch: the
 * three calls below do not justify a client library in every action bundle). Every object is
 * created with `ifGenerationMatch=0`, so GCS creates it only if no live object has that name
 * and answers 412 otherwise; the project-baseline module grants the CI accounts
 * `storage.objects.create` under the plans folder and no delete, which GCS requires to
 * replace an object. `accessToken` is the plan or apply service account's OAuth token
 * (src/auth/gcp-token.ts), asked for on every call so a long run gets a fresh one.
 */
export const GCS_API = 'https://storage.googleapis.com';

export class GcsRequestError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const enc = (s: string) => encodeURIComponent(s);

export class GcsBundleStore implements BundleStore {
  private readonly base: string;

  constructor(
    private readonly state: StateLocation,
    private readonly accessToken: () => Promise<string>,
    sandbox?: SandboxEndpoint,
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.base = (sandbox?.url ?? GCS_API).replace(/\/+$/, '');
  }

  private async call(
    method: string,
    url: string,
    body?: Uint8Array<ArrayBuffer>,
    contentType?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.accessToken()}` };
    if (contentType) headers['content-type'] = contentType;
    let res: Response | undefined;
    // Google's guidance: retry 429/5xx with backoff. A conditional create is safe to repeat:
    // a retried create that had in fact succeeded answers 412 and is then read back.
    for (let attempt = 0; attempt < 3; attempt++) {
      res = await this.fetchFn(url, {
        method,
        headers,
        ...(body ? { body } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      if (res.status !== 429 && res.status < 500) break;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    return res!;
  }

  private static async fail(res: Response, what: string): Promise<never> {
    const text = await res.text().catch(() => '');
    let reason = String(res.status);
    let message = text.slice(0, 300);
    try {
      const e = (JSON.parse(text) as { error?: { message?: string; errors?: { reason?: string }[] } }).error;
      reason = e?.errors?.[0]?.reason ?? reason;
      message = e?.message ?? message;
    } catch {
      // not JSON
    }
    throw new GcsRequestError(res.status, reason, `${what}: ${res.status} ${reason}: ${message}`);
  }

  /** Create an object only if none exists; false when one does (412). */
  private async create(name: string, body: Buffer | string, contentType: string): Promise<boolean> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const boundary = `idlc-${randomBytes(12).toString('hex')}`;
    const metadata = {
      name,
      contentType,
      // GCS verifies the upload against it and refuses a corrupted body.
      md5Hash: createHash('md5').update(bytes).digest('base64'),
    };
    const multipart = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n` +
          `--${boundary}\r\ncontent-type: ${contentType}\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const q = new URLSearchParams({ uploadType: 'multipart', ifGenerationMatch: '0' });
    if (this.state.kmsKeyId) q.set('kmsKeyName', this.state.kmsKeyId);
    const res = await this.call(
      'POST',
      `${this.base}/upload/storage/v1/b/${enc(this.state.bucket)}/o?${q}`,
      multipart,
      `multipart/related; boundary=${boundary}`,
    );
    if (res.status === 412) {
      await res.body?.cancel();
      return false;
    }
    if (!res.ok) return await GcsBundleStore.fail(res, `create gs://${this.state.bucket}/${name}`);
    await res.body?.cancel();
    return true;
  }

  private async read(bucket: string, name: string): Promise<Buffer | undefined> {
    const res = await this.call('GET', `${this.base}/storage/v1/b/${enc(bucket)}/o/${enc(name)}?alt=media`);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) return await GcsBundleStore.fail(res, `read gs://${bucket}/${name}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async put(stackId: string, bytes: Buffer, sha256: string): Promise<BundleRef> {
    const ref = bundleRef(this.state, stackId, sha256);
    if (createHash('sha256').update(bytes).digest('hex') !== ref.sha256) {
      throw new UsageError(
        `stack ${stackId}: the bundle bytes do not hash to ${ref.sha256}`,
        'this is a bug in the caller',
      );
    }
    const where = `gs://${ref.bucket}/${ref.key}`;
    let created: boolean;
    try {
      created = await this.create(ref.key, bytes, 'application/x-tar');
    } catch (err) {
      throw new UsageError(
        `stack ${stackId}: cannot store the plan bundle at ${where}: ${(err as Error).message}`,
        'the plan service account needs storage.objects.create on <plans_prefix>gcp/<team>/<env>/ of the state bucket (roles/storage.objectCreator, granted by idlc/gcp/modules/project-baseline)',
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
    const where = `gs://${ref.bucket}/${ref.key}`;
    let bytes: Buffer | undefined;
    try {
      bytes = await this.read(ref.bucket, ref.key);
    } catch (err) {
      throw new UsageError(
        `stack ${stackId}: cannot read the plan bundle ${where}: ${(err as Error).message}`,
        'the service account needs storage.objects.get on the state bucket (roles/storage.objectViewer, granted by idlc/gcp/modules/project-baseline)',
      );
    }
    if (!bytes) {
      throw new UsageError(
        `stack ${stackId}: no plan bundle at ${where}`,
        'the plan run that reported this bundle did not store it (or the bucket lifecycle deleted it). Re-run the PR plan, review, then merge',
      );
    }
    return bytes;
  }

  async records(ref: BundleRef): Promise<BundleRecords> {
    const prefix = ref.key.replace(/\.tar$/, '.');
    const names: string[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const q = new URLSearchParams({ prefix, fields: 'items(name),nextPageToken' });
        if (pageToken) q.set('pageToken', pageToken);
        const res = await this.call('GET', `${this.base}/storage/v1/b/${enc(ref.bucket)}/o?${q}`);
        if (!res.ok) await GcsBundleStore.fail(res, `list gs://${ref.bucket}/${prefix}*`);
        const page = (await res.json()) as { items?: { name?: string }[]; nextPageToken?: string };
        for (const o of page.items ?? []) if (o.name) names.push(o.name);
        pageToken = page.nextPageToken || undefined;
      } while (pageToken);
    } catch (err) {
      throw new UsageError(
        `cannot list the apply records of gs://${ref.bucket}/${ref.key}: ${(err as Error).message}`,
        'the apply service account needs storage.objects.list on the state bucket (roles/storage.objectViewer, granted by idlc/gcp/modules/project-baseline)',
      );
    }
    const claims = new Map<number, { n: number; claim?: ApplyRecord; result?: ApplyRecord }>();
    for (const name of names) {
      const parsed = parseRecordKey(ref, name);
      if (!parsed) continue;
      const bytes = await this.read(ref.bucket, name);
      if (!bytes) continue;
      const entry = claims.get(parsed.n) ?? { n: parsed.n };
      entry[parsed.kind] = JSON.parse(bytes.toString('utf8')) as ApplyRecord;
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
      return await this.create(claimKey(ref, n), JSON.stringify(record), 'application/json');
    } catch (err) {
      throw new UsageError(
        `cannot write the apply claim gs://${ref.bucket}/${claimKey(ref, n)}: ${(err as Error).message}`,
        'the apply service account needs storage.objects.create on *.json under <plans_prefix>gcp/<team>/<env>/ (granted by idlc/gcp/modules/project-baseline)',
      );
    }
  }

  async createResult(ref: BundleRef, n: number, record: ApplyRecord): Promise<void> {
    const key = resultKey(ref, n);
    let created: boolean;
    try {
      created = await this.create(key, JSON.stringify(record), 'application/json');
    } catch (err) {
      throw new UsageError(
        `cannot record the apply result gs://${ref.bucket}/${key}: ${(err as Error).message}`,
        'the apply service account needs storage.objects.create on *.json under <plans_prefix>gcp/<team>/<env>/ (granted by idlc/gcp/modules/project-baseline)',
      );
    }
    if (!created) {
      throw new UsageError(
        `the apply result gs://${ref.bucket}/${key} already exists: two runs recorded an outcome for one claim`,
        'report it to the platform team; compare the two runs before applying again',
      );
    }
  }

  destroy(): void {
    // fetch keeps no client state
  }
}
