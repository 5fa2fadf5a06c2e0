import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { jobWorkflowRef, type RepoIdentity, WORKFLOWS } from '../auth/oidc-subjects.ts';
import { UsageError } from '../util/errors.ts';

/**
 * The anchor apply and the PR report trust: what a plan job of the default branch's plan-run
 * workflow produced (stack → bundle sha256 → result file sha256), with an Actions ID token
 * whose audience names the sha256 of exactly these bytes. GitHub signs the token and sets
 * `job_workflow_ref` and `run_id` itself, so only that workflow at the default branch — never
 * a job the PR adds, never another PR's run — can produce a manifest that verifies.
 */
export const PLAN_MANIFEST_SCHEMA = 'idlc.plan-manifest/v1';
export const MANIFEST_FILE = 'manifest.json';
export const ATTESTATION_FILE = 'attestation.jwt';
/** Artifact names of plan jobs: `idlc-plan-<job index>-a<run attempt>`. */
export const PLAN_ARTIFACT_PREFIX = 'idlc-plan-';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const commitSha = z.string().regex(/^[0-9a-f]{40}$/);

export const PlanManifestSchema = z.strictObject({
  schema: z.literal(PLAN_MANIFEST_SCHEMA),
  repository: z.string().min(3).max(140),
  pullRequest: z.number().int().positive(),
  headSha: commitSha,
  baseSha: commitSha,
  runId: z.string().regex(/^\d{1,20}$/),
  runAttempt: z.string().regex(/^\d{1,6}$/),
  stacks: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9/._-]{0,200}$/),
        status: z.enum(['changes', 'no-changes', 'denied', 'error']),
        bundle: z
          .strictObject({
            bucket: z.string().min(3).max(222),
            key: z.string().min(1).max(1024),
            sha256: sha256Hex,
          })
          .nullable(),
        /** sha256 of the result file (results/<name>.json) the report renders for this stack. */
        result: z.strictObject({ file: z.string().regex(/^[\w.-]{1,200}\.json$/), sha256: sha256Hex }),
      }),
    )
    .max(256),
  /** The Kubernetes manifest validation of the PR (idlc.manifest-result/v1), when this job ran it. */
  manifests: z
    .strictObject({ file: z.string().regex(/^[\w.-]{1,200}\.json$/), sha256: sha256Hex, ok: z.boolean() })
    .optional(),
});
export type PlanManifest = z.infer<typeof PlanManifestSchema>;

export const sha256Of = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** The bytes that are hashed and stored: sorted keys, one trailing newline. */
export function manifestBytes(m: PlanManifest): Buffer {
  const stacks = [...m.stacks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return Buffer.from(`${JSON.stringify({ ...m, stacks }, null, 2)}\n`);
}

/** The ID-token audience that binds a manifest: `idlc-plan-manifest:sha256:<hex>`. */
export const manifestAudience = (bytes: Uint8Array) => `idlc-plan-manifest:sha256:${sha256Of(bytes)}`;

export interface AttestationExpectations {
  identity: RepoIdentity;
  /** e.g. https://token.actions.githubusercontent.com (the registry's github.oidc_issuer). */
  issuer: string;
  /** The run whose artifacts carried the manifest, as the Actions API describes it. */
  run: { id: number; headSha: string; createdAt: string; updatedAt: string };
  pullRequest: number;
  /** Key set override (tests); default: the issuer's JWKS through OIDC discovery. */
  keys?: JWTVerifyGetKey;
}

const jwksCache = new Map<string, JWTVerifyGetKey>();
async function issuerKeys(issuer: string): Promise<JWTVerifyGetKey> {
  const cached = jwksCache.get(issuer);
  if (cached) return cached;
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) {
    throw new UsageError(
      `cannot read the OIDC discovery document of ${issuer} (HTTP ${res.status})`,
      'check github.oidc_issuer in idlc.yaml and that the runner reaches it',
    );
  }
  const { jwks_uri } = (await res.json()) as { jwks_uri?: string };
  if (!jwks_uri)
    throw new UsageError(`${issuer} publishes no jwks_uri`, 'check github.oidc_issuer in idlc.yaml');
  const keys = createRemoteJWKSet(new URL(jwks_uri));
  jwksCache.set(issuer, keys);
  return keys;
}

const SKEW_MS = 10 * 60_000;

/**
 * Check a manifest's attestation; returns the parsed manifest or throws naming each failed
 * claim. The token's expiry is not checked (it attests a past event; the audience binds the
 * content), but its issue time must fall inside the run that carried it.
 */
export async function verifyPlanAttestation(
  manifestRaw: Uint8Array,
  jwt: string,
  x: AttestationExpectations,
): Promise<{ manifest: PlanManifest; claims: JWTPayload }> {
  const refuse = (why: string) =>
    new UsageError(
      `plan manifest of run ${x.run.id} is not attested by the default branch's plan workflow: ${why}`,
      'nothing from this artifact is trusted. Re-run the PR plan (the plan-run workflow at the default branch writes attested manifests)',
    );
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(jwt.trim());
  } catch {
    throw refuse('attestation.jwt is not a JWT');
  }
  const iat = typeof unverified.iat === 'number' ? unverified.iat * 1000 : Number.NaN;
  const runStart = Date.parse(x.run.createdAt) - SKEW_MS;
  const runEnd = Date.parse(x.run.updatedAt) + SKEW_MS;
  if (!(iat >= runStart && iat <= runEnd)) throw refuse('the token was not issued during that run');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(jwt.trim(), x.keys ?? (await issuerKeys(x.issuer)), {
      issuer: x.issuer,
      audience: manifestAudience(manifestRaw),
      algorithms: ['RS256'],
      currentDate: new Date(iat + 1000),
    }));
  } catch (err) {
    throw refuse(`${(err as Error).message} (signature, issuer or audience = sha256 of manifest.json)`);
  }
  const expect: [string, unknown, unknown][] = [
    ['repository', claims['repository'], x.identity.repository],
    ['job_workflow_ref', claims['job_workflow_ref'], jobWorkflowRef(x.identity, WORKFLOWS.planRun)],
    ['run_id', String(claims['run_id']), String(x.run.id)],
    ['event_name', claims['event_name'], 'pull_request'],
    ['ref', claims['ref'], `refs/pull/${x.pullRequest}/merge`],
  ];
  const wrong = expect.filter(([, got, want]) => got !== want);
  if (wrong.length > 0) {
    throw refuse(
      wrong
        .map(([k, got, want]) => `${k} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`)
        .join('; '),
    );
  }
  let manifest: PlanManifest;
  try {
    manifest = PlanManifestSchema.parse(JSON.parse(Buffer.from(manifestRaw).toString('utf8')));
  } catch (err) {
    throw refuse(
      `manifest.json does not match ${PLAN_MANIFEST_SCHEMA}: ${(err as Error).message.slice(0, 300)}`,
    );
  }
  const inner: [string, unknown, unknown][] = [
    ['repository', manifest.repository, x.identity.repository],
    ['pullRequest', manifest.pullRequest, x.pullRequest],
    ['headSha', manifest.headSha, x.run.headSha],
    ['runId', manifest.runId, String(x.run.id)],
    ['runAttempt', manifest.runAttempt, String(claims['run_attempt'])],
  ];
  const off = inner.filter(([, got, want]) => got !== want);
  if (off.length > 0) {
    throw refuse(
      off
        .map(
          ([k, got, want]) => `manifest ${k} is ${JSON.stringify(got)}, the run says ${JSON.stringify(want)}`,
        )
        .join('; '),
    );
  }
  return { manifest, claims };
}

export interface ManifestStackInput {
  id: string;
  status: PlanManifest['stacks'][number]['status'];
  bundle?: { bucket: string; key: string; sha256: string };
  /** The result file as written (its base name and bytes). */
  resultFile: string;
  resultBytes: Uint8Array;
}

/**
 * Write `manifest.json` and `attestation.jwt` beside the result files: the manifest lists each
 * stack's bundle and the sha256 of its result file; the attestation is an ID token whose
 * audience names the manifest's sha256. `attest` is `core.getIDToken` at the edge.
 */
export async function writeAttestedManifest(o: {
  dir: string;
  repository: string;
  pullRequest: number;
  headSha: string;
  baseSha: string;
  runId: string;
  runAttempt: string;
  stacks: ManifestStackInput[];
  /** The manifest validation result written beside (results/<file>). */
  manifests?: { file: string; bytes: Uint8Array; ok: boolean };
  attest: (audience: string) => Promise<string>;
  write: (path: string, data: string | Uint8Array) => Promise<void>;
}): Promise<{ manifest: PlanManifest; sha256: string }> {
  const manifest = PlanManifestSchema.parse({
    schema: PLAN_MANIFEST_SCHEMA,
    repository: o.repository,
    pullRequest: o.pullRequest,
    headSha: o.headSha,
    baseSha: o.baseSha,
    runId: o.runId,
    runAttempt: o.runAttempt,
    stacks: o.stacks.map((s) => ({
      id: s.id,
      status: s.status,
      bundle: s.bundle ? { bucket: s.bundle.bucket, key: s.bundle.key, sha256: s.bundle.sha256 } : null,
      result: { file: s.resultFile, sha256: sha256Of(s.resultBytes) },
    })),
    ...(o.manifests
      ? { manifests: { file: o.manifests.file, sha256: sha256Of(o.manifests.bytes), ok: o.manifests.ok } }
      : {}),
  });
  const bytes = manifestBytes(manifest);
  const token = await o.attest(manifestAudience(bytes));
  await o.write(`${o.dir}/${MANIFEST_FILE}`, bytes);
  await o.write(`${o.dir}/${ATTESTATION_FILE}`, `${token}\n`);
  return { manifest, sha256: sha256Of(bytes) };
}
