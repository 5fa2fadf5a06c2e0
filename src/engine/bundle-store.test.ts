import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Moto, startMoto, TEST_AWS_CREDENTIALS } from '../../test/support/moto.ts';
import type { StateLocation } from '../config/targets.ts';
import { type ApplyRecord, bundleRef, decideApply, parseRecordKey } from './bundle-store.ts';
import { S3BundleStore } from './s3-bundle-store.ts';

const state: StateLocation = {
  backend: 's3',
  bucket: 'idlc-tfstate-search-200000000001',
  key: 'dev/main/terraform.tfstate',
  region: 'eu-west-1',
  encrypt: true,
  useLockfile: true,
  plansPrefix: 'plans/',
};
const record = (status: ApplyRecord['status'], runId = '11'): ApplyRecord => ({
  status,
  bundleSha256: 'a'.repeat(64),
  runId,
  runAttempt: '1',
  mergeSha: 'b'.repeat(40),
  at: '2026-12-02T10:00:00Z',
});

describe('bundle names and records', () => {
  it('names a bundle by its sha256 under the stack, and its records beside it', () => {
    const ref = bundleRef(state, 'aws/search/dev', 'A'.repeat(64));
    expect(ref).toEqual({
      bucket: 'idlc-tfstate-search-200000000001',
      key: `plans/aws/search/dev/${'a'.repeat(64)}.tar`,
      sha256: 'a'.repeat(64),
    });
    expect(parseRecordKey(ref, `plans/aws/search/dev/${'a'.repeat(64)}.claim.2.json`)).toEqual({
      kind: 'claim',
      n: 2,
    });
    expect(parseRecordKey(ref, `plans/aws/search/dev/${'a'.repeat(64)}.result.10.json`)).toEqual({
      kind: 'result',
      n: 10,
    });
    expect(parseRecordKey(ref, `plans/aws/search/dev/${'a'.repeat(64)}.claim.0.json`)).toBeUndefined();
    expect(parseRecordKey(ref, `plans/aws/search/dev/${'b'.repeat(64)}.claim.1.json`)).toBeUndefined();
    expect(() => bundleRef(state, 'aws/search/dev', 'not-a-sha')).toThrow(/is not a sha256/);
    expect(() => bundleRef(state, '../other/dev', 'a'.repeat(64))).toThrow(/is not a stack id/);
  });

  it('decides: apply as claim 1 when new; skip when applied; refuse when failed or left without a result', () => {
    expect(decideApply({ claims: [] })).toEqual({ action: 'apply', claim: 1 });
    expect(
      decideApply({ claims: [{ n: 1, claim: record('applying'), result: record('applied') }] }),
    ).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/^already applied by run 11 attempt 1/),
    });
    expect(
      decideApply({ claims: [{ n: 1, claim: record('applying'), result: record('failed') }] }),
    ).toMatchObject({
      action: 'refuse',
      reason: expect.stringMatching(/failed to apply in run 11 .*a bundle is spent once the engine ran/),
    });
    expect(decideApply({ claims: [{ n: 1, claim: record('applying') }] })).toMatchObject({
      action: 'refuse',
      reason: expect.stringMatching(/claimed this plan and recorded no outcome/),
    });
    // a claim given back (the state lock was held elsewhere): the next claim is number 2
    expect(
      decideApply({ claims: [{ n: 1, claim: record('applying'), result: record('not-started') }] }),
    ).toEqual({
      action: 'apply',
      claim: 2,
    });
  });
});

describe('the S3 store against moto: write-once objects', () => {
  let moto: Moto;
  let store: S3BundleStore;
  beforeAll(async () => {
    moto = await startMoto();
    await moto.createStateBucket(state.bucket, state.region);
    store = new S3BundleStore(state, TEST_AWS_CREDENTIALS, { url: moto.endpoint });
  });
  afterAll(async () => {
    store?.destroy();
    await moto?.stop();
  });

  it('stores a bundle once; the same bytes again are fine, other bytes under that name are refused', async () => {
    const bytes = Buffer.from('bundle one');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const ref = await store.put('aws/search/dev', bytes, sha);
    expect(await store.get(ref, 'aws/search/dev')).toEqual(bytes);
    await expect(store.put('aws/search/dev', bytes, sha)).resolves.toEqual(ref);
    await expect(store.put('aws/search/dev', Buffer.from('bundle two'), sha)).rejects.toThrow(
      /do not hash to/,
    );
    expect(await store.get(ref, 'aws/search/dev')).toEqual(bytes);
  });

  it('refuses to take as its own a name someone squatted with other bytes', async () => {
    const bytes = Buffer.from('the real bundle');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const ref = bundleRef(state, 'aws/search/dev', sha);
    await moto.s3.send(new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, Body: 'squatted' }));
    await expect(store.put('aws/search/dev', bytes, sha)).rejects.toThrow(
      /already exists with other content than its name says/,
    );
  });

  it('lets exactly one of two racing runs create a claim', async () => {
    const ref = bundleRef(state, 'aws/search/dev', 'c'.repeat(64));
    const results = await Promise.all([
      store.createClaim(ref, 1, record('applying', 'run-a')),
      store.createClaim(ref, 1, record('applying', 'run-b')),
      store.createClaim(ref, 1, record('applying', 'run-c')),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const records = await store.records(ref);
    expect(records.claims).toHaveLength(1);
    expect(['run-a', 'run-b', 'run-c']).toContain(records.claims[0]?.claim.runId);
    await store.createResult(ref, 1, record('applied', records.claims[0]?.claim.runId));
    await expect(store.createResult(ref, 1, record('failed'))).rejects.toThrow(
      /two runs recorded an outcome/,
    );
    expect((await store.records(ref)).claims[0]?.result?.status).toBe('applied');
  });
});
