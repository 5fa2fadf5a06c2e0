import { join } from 'node:path';
import type { IdTokenFetcher } from '../../../src/auth/id-token.ts';
import { loadRegistry } from '../../../src/config/load.ts';
import { writeAttestedManifest } from '../../../src/engine/plan-manifest.ts';
import { renderManifestSection } from '../../../src/report/manifest-section.ts';
import type { ManifestResult } from '../../../src/sdlc/manifest-result.ts';
import { validateSdlc } from '../../../src/sdlc/validate.ts';
import { writeFileAtomic } from '../../../src/util/fs-atomic.ts';

export interface ManifestsInput {
  root: string;
  trustedRoot: string;
  resultDir: string;
  kubernetesVersion: string;
  event: Record<string, unknown>;
  repository: string;
  runId: string;
  runAttempt: string;
  env: NodeJS.ProcessEnv;
  idToken: IdTokenFetcher | undefined;
  mask: (secret: string) => void;
  log: (line: string) => void;
}

export const MANIFESTS_RESULT_FILE = 'manifests.json';

/**
 * Validate the checkout's manifests with the default branch's registry and policies; on a PR,
 * attest the result (manifest.json + attestation.jwt) so only this job's result is shown.
 */
export async function runManifests(input: ManifestsInput) {
  const loaded = await loadRegistry(input.root, undefined, { trustedRoot: input.trustedRoot });
  const result: ManifestResult = await validateSdlc({
    root: input.root,
    policyRoot: input.trustedRoot,
    registry: loaded.registry,
    kubernetesVersion: input.kubernetesVersion,
    env: input.env,
  });
  const bytes = Buffer.from(`${JSON.stringify(result, null, 2)}\n`);
  const file = join(input.resultDir, 'results', MANIFESTS_RESULT_FILE);
  await writeFileAtomic(file, bytes);
  const pr = input.event['pull_request'] as
    | { number?: number; head?: { sha?: string }; base?: { sha?: string } }
    | undefined;
  if (pr?.number && pr.head?.sha && pr.base?.sha && input.idToken) {
    const idToken = input.idToken;
    await writeAttestedManifest({
      dir: input.resultDir,
      repository: input.repository,
      pullRequest: pr.number,
      headSha: pr.head.sha,
      baseSha: pr.base.sha,
      runId: input.runId,
      runAttempt: input.runAttempt,
      stacks: [],
      manifests: { file: MANIFESTS_RESULT_FILE, bytes, ok: result.ok },
      attest: async (audience) => {
        const token = await idToken(audience);
        input.mask(token);
        return token;
      },
      write: (path, data) => writeFileAtomic(path, data),
    });
  }
  input.log(
    `manifests: ${result.summary.targets} targets, ${result.summary.objects} objects, ${result.summary.invalid} invalid, ${result.summary.denied} denied`,
  );
  return { result, file, summary: renderManifestSection(result, { maxProblems: 500, maxTargets: 500 }) };
}
