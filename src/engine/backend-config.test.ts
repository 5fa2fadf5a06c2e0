import { describe, expect, it } from 'vitest';
import type { StateLocation } from '../config/targets.ts';
import { backendConfigArgs } from './backend-config.ts';

const state: StateLocation = {
  backend: 's3',
  bucket: 'idlc-tfstate-search-200000000001',
  key: 'dev/main/terraform.tfstate',
  region: 'eu-west-1',
  encrypt: true,
  useLockfile: false,
  plansPrefix: 'plans/',
};

describe('backendConfigArgs', () => {
  it('injects the registry state location with the native lockfile always on', () => {
    expect(backendConfigArgs(state)).toEqual([
      '-backend-config=bucket=idlc-tfstate-search-200000000001',
      '-backend-config=key=dev/main/terraform.tfstate',
      '-backend-config=region=eu-west-1',
      '-backend-config=encrypt=true',
      '-backend-config=use_lockfile=true',
    ]);
  });

  it('adds kms_key_id when the registry names a key', () => {
    expect(backendConfigArgs({ ...state, kmsKeyId: 'alias/tfstate' })).toContain(
      '-backend-config=kms_key_id=alias/tfstate',
    );
  });

  it('adds sandbox endpoints and skips only when a sandbox is injected', () => {
    const args = backendConfigArgs(state, { url: 'http://127.0.0.1:5000', sts: 'http://127.0.0.1:5001' });
    expect(args).toContain(
      '-backend-config=endpoints={s3="http://127.0.0.1:5000",sts="http://127.0.0.1:5001"}',
    );
    for (const k of [
      'use_path_style',
      'skip_credentials_validation',
      'skip_requesting_account_id',
      'skip_region_validation',
      'skip_metadata_api_check',
    ]) {
      expect(args).toContain(`-backend-config=${k}=true`);
    }
    expect(backendConfigArgs(state).some((a) => /endpoints|skip_|path_style/.test(a))).toBe(false);
  });

  it('maps gcs state to bucket and prefix', () => {
    expect(backendConfigArgs({ ...state, backend: 'gcs', bucket: 'b' })).toEqual([
      '-backend-config=bucket=b',
      '-backend-config=prefix=dev/main',
    ]);
  });
});
