import { posix } from 'node:path';
import type { StateLocation } from '../config/targets.ts';
import { lintStack } from '../discovery/stack-lint.ts';
import type { Stack } from '../discovery/stacks.ts';
import { IdlcError, type Problem } from '../util/errors.ts';

/**
 * A local stand-in for the cloud APIs (moto in tests, the demo sandbox). Production never sets
 * it, and then none of the endpoint/skip settings below reach the engine.
 */
export interface SandboxEndpoint {
  /** e.g. http://127.0.0.1:5000, used for S3 and (unless `sts` is given) STS. */
  url: string;
  sts?: string;
}

const hclString = (s: string) => JSON.stringify(s);

/**
 * `-backend-config` arguments that put the stack's state where the registry says: the team's
 * own bucket, a key per env/stack, native S3 lockfile. Stacks only declare `backend "s3" {}`.
 */
export function backendConfigArgs(state: StateLocation, sandbox?: SandboxEndpoint): string[] {
  const kv: [string, string][] = [];
  if (state.backend === 's3') {
    kv.push(['bucket', state.bucket], ['key', state.key], ['region', state.region]);
    kv.push(['encrypt', String(state.encrypt)]);
    if (state.kmsKeyId) kv.push(['kms_key_id', state.kmsKeyId]);
    // The registry may not turn the lockfile off: without it two runs can write one state.
    kv.push(['use_lockfile', 'true']);
    if (sandbox) {
      kv.push(['endpoints', `{s3=${hclString(sandbox.url)},sts=${hclString(sandbox.sts ?? sandbox.url)}}`]);
      kv.push(['use_path_style', 'true']);
      kv.push(['skip_credentials_validation', 'true']);
      kv.push(['skip_requesting_account_id', 'true']);
      kv.push(['skip_region_validation', 'true']);
      kv.push(['skip_metadata_api_check', 'true']);
    }
  } else {
    // gcs keeps <prefix>/<workspace>.tfstate; the prefix is the key's folder.
    kv.push(['bucket', state.bucket], ['prefix', posix.dirname(state.key)]);
    if (state.kmsKeyId) kv.push(['kms_encryption_key', state.kmsKeyId]);
    if (sandbox) kv.push(['storage_custom_endpoint', `${sandbox.url.replace(/\/$/, '')}/storage/v1/`]);
  }
  return kv.map(([k, v]) => `-backend-config=${k}=${v}`);
}

/**
 * Refuse, before `init`, a stack that would pick its own state location, credentials or
 * backend type (stack-lint's isolation checks). Warnings are returned for the report.
 */
export async function assertStackIsolated(root: string, stack: Stack): Promise<Problem[]> {
  const { problems, warnings } = await lintStack(root, stack);
  if (problems.length > 0) throw new IdlcError(problems);
  return warnings;
}
