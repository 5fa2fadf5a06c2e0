import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGcs, startFakeGcs } from '../../test/support/fake-gcs.ts';
import type { StateLocation } from '../config/targets.ts';
import { type ApplyRecord, bundleRef, bundleStoreFor } from './bundle-store.ts';
import { GcsBundleStore } from './gcs-bundle-store.ts';

const state: StateLocation = {
  backend: 'gcs',
  bucket: 'idlc-tfstate-assistant-acme-assistant-dev',
  key: 'dev/main/terraform.tfstate',
  region: 'europe-west4',
  encrypt: true,
  useLockfile: true,
  plansPrefix: 'plans/',
};
const STACK = 'gcp/assistant/dev';
const record = (status: ApplyRecord['status'], runId = '11'): ApplyRecord => ({
  status,
  bundleSha256: 'a'.repeat(64),
  runId,
  runAttempt: '1',
  mergeSha: 'b'.repeat(40),
  at: '2026-12-02T10:00:00Z',
});
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the GCS store against fake-gcs-server: write-once objects (ifGenerationMatch=0)', () => {
  let gcs: FakeGcs;
  let store: GcsBundleStore;
  const bearer: string[] = [];
  beforeAll(async () => {
    gcs = await startFakeGcs();
    await gcs.createBucket(state.bucket);
    const sandbox = { url: gcs.endpoint };
    const recordingFetch: typeof fetch = async (url, init) => {
      bearer.push(new Headers(init?.headers).get('authorization') ?? '');
      return await fetch(url, init);
    };
    store = new GcsBundleStore(state, async () => 'ya29.test-token', sandbox, recordingFetch);
  });
  afterAll(async () => {
    await gcs?.stop();
  });

  it('is what bundleStoreFor builds for gcs state, and needs the access token to be built', async () => {
    await expect(bundleStoreFor(state, {}, { url: gcs.endpoint })).rejects.toThrow(
      /need the service account's access token/,
    );
    const built = await bundleStoreFor(state, { gcpAccessToken: async () => 't' }, { url: gcs.endpoint });
    expect(built).toBeInstanceOf(GcsBundleStore);
  });

  it('stores a bundle once under the stack; the same bytes again are fine, other bytes under that name are refused', async () => {
    const bytes = Buffer.from('bundle one');
    const ref = await store.put(STACK, bytes, sha(bytes));
    expect(ref).toEqual({
      bucket: state.bucket,
      key: `plans/gcp/assistant/dev/${sha(bytes)}.tar`,
      sha256: sha(bytes),
    });
    expect(await gcs.listNames(state.bucket, 'plans/')).toEqual([ref.key]);
    expect(await store.get(ref, STACK)).toEqual(bytes);
    await expect(store.put(STACK, bytes, sha(bytes))).resolves.toEqual(ref);
    await expect(store.put(STACK, Buffer.from('bundle two'), sha(bytes))).rejects.toThrow(/do not hash to/);
    expect(await gcs.getBytes(state.bucket, ref.key)).toEqual(bytes);
    // every call carried the service account's token
    expect(new Set(bearer)).toEqual(new Set(['Bearer ya29.test-token']));
  });

  it('refuses to take as its own a name someone squatted with other bytes, and leaves them as they are', async () => {
    const bytes = Buffer.from('the real bundle');
    const ref = bundleRef(state, STACK, sha(bytes));
    await gcs.putObject(state.bucket, ref.key, 'squatted');
    await expect(store.put(STACK, bytes, sha(bytes))).rejects.toThrow(
      /gs:\/\/idlc-tfstate-assistant-acme-assistant-dev\/plans\/gcp\/assistant\/dev\/[0-9a-f]{64}\.tar already exists with other content than its name says/,
    );
    expect(await gcs.getText(state.bucket, ref.key)).toBe('squatted');
  });

  it('says which bundle is missing and what to do', async () => {
    const ref = bundleRef(state, STACK, 'd'.repeat(64));
    await expect(store.get(ref, STACK)).rejects.toThrow(/no plan bundle at gs:\/\/.*dddd\.tar/);
  });

  it('lets exactly one of several racing runs create a claim; a second result for one claim is refused', async () => {
    const ref = bundleRef(state, STACK, 'c'.repeat(64));
    const runs = ['run-a', 'run-b', 'run-c', 'run-d', 'run-e'];
    const results = await Promise.all(runs.map((r) => store.createClaim(ref, 1, record('applying', r))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const records = await store.records(ref);
    expect(records.claims).toHaveLength(1);
    const winner = runs[results.indexOf(true)];
    expect(records.claims[0]?.claim.runId).toBe(winner);
    await store.createResult(ref, 1, record('applied', winner));
    await expect(store.createResult(ref, 1, record('failed'))).rejects.toThrow(
      /two runs recorded an outcome/,
    );
    expect((await store.records(ref)).claims[0]?.result).toMatchObject({ status: 'applied', runId: winner });
    expect(await gcs.listNames(state.bucket, ref.key.replace(/\.tar$/, ''))).toEqual([
      `plans/gcp/assistant/dev/${'c'.repeat(64)}.claim.1.json`,
      `plans/gcp/assistant/dev/${'c'.repeat(64)}.result.1.json`,
    ]);
  });

  it('lists records over several pages, in claim order, ignoring names that are not records', async () => {
    const ref = bundleRef(state, STACK, 'e'.repeat(64));
    for (let n = 1; n <= 12; n++) {
      expect(await store.createClaim(ref, n, record('applying', `run-${n}`))).toBe(true);
      await store.createResult(ref, n, record('not-started', `run-${n}`));
    }
    await gcs.putObject(state.bucket, `${ref.key.replace(/\.tar$/, '')}.claim.x.json`, '{}');
    const paged: typeof fetch = async (url, init) => {
      const u = new URL(String(url));
      // force pagination: the JSON API pages at maxResults
      if (init?.method === 'GET' && u.pathname.endsWith('/o') && !u.searchParams.has('maxResults')) {
        u.searchParams.set('maxResults', '5');
      }
      return await fetch(u, init);
    };
    const small = new GcsBundleStore(state, async () => 't', { url: gcs.endpoint }, paged);
    const records = await small.records(ref);
    expect(records.claims.map((c) => c.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(records.claims.every((c) => c.result?.status === 'not-started')).toBe(true);
  });

  it('names the bucket, the status and the grant when GCS refuses', async () => {
    const denied: typeof fetch = async () =>
      new Response(
        JSON.stringify({
          error: {
            code: 403,
            message: 'idlc-x-plan@p.iam.gserviceaccount.com does not have storage.objects.create access',
            errors: [{ reason: 'forbidden' }],
          },
        }),
        { status: 403, headers: { 'content-type': 'application/json' } },
      );
    const refused = new GcsBundleStore(state, async () => 't', { url: gcs.endpoint }, denied);
    const bytes = Buffer.from('x');
    const err = (await refused.put(STACK, bytes, sha(bytes)).catch((e: unknown) => e)) as Error & {
      fix?: string;
    };
    expect(err.message).toMatch(
      /cannot store the plan bundle at gs:\/\/idlc-tfstate-assistant-acme-assistant-dev\/plans\/gcp\/assistant\/dev\/.*: 403 forbidden: .*storage\.objects\.create/,
    );
    expect(err.fix).toMatch(/roles\/storage\.objectCreator/);
  });
});
