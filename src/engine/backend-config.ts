import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
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
 * After `init`: the backend the engine recorded in its data dir must be the injected one. The
 * lint reads what the stack declares; this reads what the engine will actually use, so any
 * declaration the lint missed (a new file type, an odd override) is still caught before plan.
 */
export async function verifyInitializedBackend(
  dataDir: string,
  state: StateLocation,
  stackId: string,
): Promise<void> {
  let recorded: { backend?: { type?: string; config?: Record<string, unknown> } };
  try {
    recorded = JSON.parse(await readFile(join(dataDir, 'terraform.tfstate'), 'utf8'));
  } catch (err) {
    throw new IdlcError({
      file: stackId,
      message: `init recorded no backend (${(err as Error).message.split('\n')[0]}): state would stay on the runner`,
      fix: `declare an empty partial backend: terraform { backend "${state.backend}" {} }`,
    });
  }
  const b = recorded.backend;
  const want: Record<string, string> =
    state.backend === 's3'
      ? { bucket: state.bucket, key: state.key, region: state.region }
      : { bucket: state.bucket, prefix: posix.dirname(state.key) };
  const wrong = [
    ...(b?.type === state.backend ? [] : [`type ${JSON.stringify(b?.type)} (expected ${state.backend})`]),
    ...Object.entries(want)
      .filter(([k, v]) => b?.config?.[k] !== v)
      .map(([k, v]) => `${k} ${JSON.stringify(b?.config?.[k])} (expected ${JSON.stringify(v)})`),
  ];
  if (wrong.length > 0) {
    throw new IdlcError({
      file: stackId,
      message: `the engine initialized another backend than idlc.yaml gives this stack: ${wrong.join(', ')}`,
      fix: 'remove every backend setting from the stack (also in *.tf.json and *_override.tf files); idlc injects the location',
    });
  }
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
