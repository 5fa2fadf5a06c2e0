import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { evaluate } from '@marcbachmann/cel-js';
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { cliConfigFile, toolPath } from '../../src/toolchain/tools.ts';

/**
 * Google's token path for a GitHub job, on loopback: Security Token Service `POST /v1/token`
 * and IAM Service Account Credentials `POST /v1/projects/-/serviceAccounts/{sa}:generateAccessToken`,
 * served at one base URL (the toolkit's `googleEndpoints(sandbox)`).
 *
 * What Google checks, checked here:
 * - request bodies against Google's own discovery documents (`sts/v1`, `iamcredentials/v1`,
 *   google-discovery/*.json: unknown fields and wrong types are refused as Google refuses them),
 *   and every response of the double against them too;
 * - the subject token: RS256/ES256 with a `kid`, signature by the issuer's JWKS (found through
 *   its openid-configuration), `iss`, `exp`/`nbf`, `aud` = one of the provider's allowed
 *   audiences (default: `https://iam.googleapis.com/<provider>`);
 * - the provider's attribute mapping and attribute condition, evaluated as CEL;
 *   `google.subject` at most 127 bytes;
 * - impersonation: the federated token's principals (`principal://…/subject/<google.subject>`,
 *   `principalSet://…/attribute.<name>/<value>`, `principalSet://…/*`) against the service
 *   account's `roles/iam.workloadIdentityUser` members.
 * Providers and bindings come from idlc/gcp/modules/project-baseline as real tofu renders them
 * (renderProjectBaselineAccess), never from a copy. The form-encoded token request Google's client
 * libraries send (RFC 8693 field names) is accepted too, as the real STS accepts it.
 */

const DISCOVERY = join(import.meta.dirname, 'google-discovery');

interface DiscoverySchema {
  id?: string;
  type?: string;
  $ref?: string;
  format?: string;
  properties?: Record<string, DiscoverySchema>;
  items?: DiscoverySchema;
  additionalProperties?: DiscoverySchema;
  enum?: string[];
}
interface DiscoveryMethod {
  path: string;
  httpMethod: string;
  request?: { $ref: string };
  response?: { $ref: string };
}
interface DiscoveryDoc {
  name: string;
  revision: string;
  schemas: Record<string, DiscoverySchema>;
  resources: Record<string, unknown>;
}

const loadDiscovery = (file: string) =>
  JSON.parse(readFileSync(join(DISCOVERY, file), 'utf8')) as DiscoveryDoc;
export const STS_DISCOVERY = loadDiscovery('sts.v1.json');
export const IAM_CREDENTIALS_DISCOVERY = loadDiscovery('iamcredentials.v1.json');

/** A method of a discovery document by its id, e.g. `sts.token`. */
export function discoveryMethod(doc: DiscoveryDoc, id: string): DiscoveryMethod {
  const walk = (node: unknown): DiscoveryMethod | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    const n = node as { methods?: Record<string, DiscoveryMethod & { id: string }>; resources?: unknown };
    for (const m of Object.values(n.methods ?? {})) if (m.id === id) return m;
    for (const r of Object.values((n.resources ?? {}) as Record<string, unknown>)) {
      const found = walk(r);
      if (found) return found;
    }
    return undefined;
  };
  const m = walk({ resources: doc.resources });
  if (!m) throw new Error(`${doc.name}: no method ${id} in the discovery document`);
  return m;
}

const FORMATS: Record<string, RegExp> = {
  'google-duration': /^-?\d+(\.\d{1,9})?s$/,
  'google-datetime': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/,
  byte: /^[A-Za-z0-9+/_-]*={0,2}$/,
};

/**
 * Problems of a value against a discovery schema, as Google's JSON parsing finds them: an
 * unknown field, a wrong type, a malformed duration or timestamp. Empty: valid.
 */
export function discoveryProblems(
  doc: DiscoveryDoc,
  schema: DiscoverySchema,
  value: unknown,
  at = '$',
): string[] {
  if (schema.$ref) {
    const target = doc.schemas[schema.$ref];
    if (!target) return [`${at}: schema ${schema.$ref} is not in ${doc.name}`];
    return discoveryProblems(doc, target, value, at);
  }
  switch (schema.type) {
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object`];
      const out: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        const prop = schema.properties?.[k] ?? schema.additionalProperties;
        if (!prop) out.push(`${at}: unknown field "${k}" (Cannot find field)`);
        else out.push(...discoveryProblems(doc, prop, v, `${at}.${k}`));
      }
      return out;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected an array`];
      return value.flatMap((v, i) => discoveryProblems(doc, schema.items ?? {}, v, `${at}[${i}]`));
    case 'string': {
      if (typeof value !== 'string') return [`${at}: expected a string`];
      const f = schema.format ? FORMATS[schema.format] : undefined;
      if (f && !f.test(value)) return [`${at}: "${value}" is not a ${schema.format}`];
      if (schema.enum && !schema.enum.includes(value))
        return [`${at}: "${value}" is not one of ${schema.enum}`];
      return [];
    }
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: expected an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean`];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// The module's strings, rendered by real tofu

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const ACCESS_MODULE = join(
  REPO_ROOT,
  'idlc',
  'gcp',
  'modules',
  'project-baseline',
  'modules',
  'access',
);

export interface ProjectBaselineInput {
  team: string;
  env: string;
  projectNumber: string;
  projectId: string;
  repository: string;
  defaultBranch?: string;
  environments: string[];
  planReview?: boolean;
  repositoryOwnerId?: string;
  stateBucket?: string;
  plansPrefix?: string;
  poolId?: string;
  providerId?: string;
}

export interface RenderedAccess {
  input: ProjectBaselineInput;
  poolName: string;
  providerName: string;
  planServiceAccount: string;
  applyServiceAccount: string;
  planSubjects: string[];
  applySubjects: string[];
  attributeCondition: string;
  attributeMapping: Record<string, string>;
  members: Record<string, string>;
  storageConditions: Record<string, string>;
}

const run = promisify(execFile);

/**
 * What project-baseline grants with, for one team project: its `modules/access` (the part that
 * needs no google provider) applied by the real tofu with the parent's defaults; service
 * account names as the parent names them (`idlc-<team>-<env>-plan|apply`).
 */
export async function renderProjectBaselineAccess(input: ProjectBaselineInput): Promise<RenderedAccess> {
  const dir = await mkdtemp(join(tmpdir(), 'idlc-gcp-access-'));
  const poolId = input.poolId ?? 'github';
  const poolName = `projects/${input.projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
  try {
    // JSON is valid HCL expression syntax, so inputs are passed without hand-written quoting.
    await writeFile(
      join(dir, 'main.tf'),
      `module "access" {
  source    = ${JSON.stringify(ACCESS_MODULE)}
  team      = ${JSON.stringify(input.team)}
  env       = ${JSON.stringify(input.env)}
  pool_name = ${JSON.stringify(poolName)}
  github = {
    repository          = ${JSON.stringify(input.repository)}
    environments        = ${JSON.stringify(input.environments)}
    default_branch      = ${JSON.stringify(input.defaultBranch ?? 'main')}
    plan_review         = ${input.planReview ? 'true' : 'false'}
    plan_workflow_path  = ".github/workflows/idlc-plan-run.yml"
    apply_workflow_path = ".github/workflows/idlc-apply.yml"
    drift_workflow_path = ".github/workflows/idlc-drift.yml"
    repository_owner_id = ${input.repositoryOwnerId ? JSON.stringify(input.repositoryOwnerId) : 'null'}
    plan_extra_subjects = []
  }
  state_bucket = ${input.stateBucket ? JSON.stringify(input.stateBucket) : 'null'}
  plans_prefix = ${JSON.stringify(input.plansPrefix ?? 'plans/')}
}

output "access" {
  value = module.access
}
`,
    );
    const env = {
      PATH: toolPath(),
      HOME: process.env['HOME'] ?? '',
      TF_CLI_CONFIG_FILE: cliConfigFile() ?? '/dev/null',
      TF_IN_AUTOMATION: '1',
      TF_DATA_DIR: join(dir, '.terraform'),
    };
    const tofu = (...args: string[]) => run('tofu', args, { cwd: dir, env, maxBuffer: 16 << 20 });
    await tofu('init', '-input=false', '-no-color');
    await tofu('apply', '-auto-approve', '-input=false', '-no-color', '-lock=false');
    const { stdout } = await tofu('output', '-json', 'access');
    const out = JSON.parse(stdout) as {
      plan_subjects: string[];
      apply_subjects: string[];
      attribute_condition: string;
      attribute_mapping: Record<string, string>;
      members: Record<string, string>;
      storage_conditions: Record<string, string>;
    };
    const sa = (role: string) =>
      `idlc-${input.team}-${input.env}-${role}@${input.projectId}.iam.gserviceaccount.com`;
    return {
      input,
      poolName,
      providerName: `${poolName}/providers/${input.providerId ?? 'github-actions'}`,
      planServiceAccount: sa('plan'),
      applyServiceAccount: sa('apply'),
      planSubjects: out.plan_subjects,
      applySubjects: out.apply_subjects,
      attributeCondition: out.attribute_condition,
      attributeMapping: out.attribute_mapping,
      members: out.members,
      storageConditions: out.storage_conditions,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The double

export interface WorkloadIdentityProvider {
  /** projects/<n>/locations/global/workloadIdentityPools/<pool>/providers/<id> */
  name: string;
  /** The issuer the provider trusts (the module's oidc.issuer_uri; the local issuer in tests). */
  issuer: string;
  attributeMapping: Record<string, string>;
  attributeCondition?: string;
  /** Empty: Google's default, `https://iam.googleapis.com/<name>`. */
  allowedAudiences?: string[];
  disabled?: boolean;
}

interface FederatedToken {
  provider: WorkloadIdentityProvider;
  subject: string;
  attributes: Record<string, string>;
  expiresAt: number;
}

export interface IssuedAccessToken {
  serviceAccount: string;
  subject: string;
  attributes: Record<string, string>;
  expiresAt: number;
}

export interface StsDecision {
  api: 'sts.token' | 'iamcredentials.generateAccessToken';
  status: number;
  reason: string;
  sub?: string;
  serviceAccount?: string;
}

export interface GoogleStsDouble {
  /** Base URL for both APIs. */
  endpoint: string;
  providers: Map<string, WorkloadIdentityProvider>;
  /** roles/iam.workloadIdentityUser members by service account email; an account not listed does not exist. */
  serviceAccounts: Map<string, string[]>;
  /** Access tokens issued, by token (a GCS gate or a test can tell whose a token is). */
  accessTokens: Map<string, IssuedAccessToken>;
  decisions: StsDecision[];
  /** Bodies as received, by API, for shape assertions. */
  received: { api: StsDecision['api']; contentType: string; body: Record<string, unknown> }[];
  /** Register what project-baseline renders for one team project, trusting `issuer`. */
  addProject(rendered: RenderedAccess, issuer: string): void;
  stop(): Promise<void>;
}

/** RFC 8693 / OAuth form names and their proto-JSON names in the discovery document. */
const FORM_FIELDS: Record<string, string> = {
  grant_type: 'grantType',
  audience: 'audience',
  scope: 'scope',
  requested_token_type: 'requestedTokenType',
  subject_token: 'subjectToken',
  subject_token_type: 'subjectTokenType',
  actor_token: 'actorToken',
  actor_token_type: 'actorTokenType',
  options: 'options',
};
const snakeToCamel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const STS_TOKEN = discoveryMethod(STS_DISCOVERY, 'sts.token');
const GENERATE = discoveryMethod(
  IAM_CREDENTIALS_DISCOVERY,
  'iamcredentials.projects.serviceAccounts.generateAccessToken',
);

export async function startGoogleStsDouble(): Promise<GoogleStsDouble> {
  const providers = new Map<string, WorkloadIdentityProvider>();
  const serviceAccounts = new Map<string, string[]>();
  const federated = new Map<string, FederatedToken>();
  const accessTokens = new Map<string, IssuedAccessToken>();
  const decisions: StsDecision[] = [];
  const received: GoogleStsDouble['received'] = [];
  const jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  const keysOf = async (issuer: string) => {
    let set = jwks.get(issuer);
    if (!set) {
      const conf = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
        jwks_uri: string;
      };
      set = createRemoteJWKSet(new URL(conf.jwks_uri));
      jwks.set(issuer, set);
    }
    return set;
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  /** A response the double is about to give, checked against the discovery document first. */
  const respond = (res: ServerResponse, doc: DiscoveryDoc, m: DiscoveryMethod, body: unknown) => {
    const problems = m.response ? discoveryProblems(doc, { $ref: m.response.$ref }, body) : [];
    if (problems.length > 0)
      throw new Error(`the double's own ${m.path} response breaks ${doc.name}: ${problems}`);
    send(res, 200, body);
  };
  const oauthError = (
    res: ServerResponse,
    status: number,
    error: string,
    description: string,
    d: StsDecision,
  ) => {
    decisions.push(d);
    send(res, status, { error, error_description: description });
  };
  const googleError = (
    res: ServerResponse,
    code: number,
    status: string,
    message: string,
    d: StsDecision,
  ) => {
    decisions.push(d);
    send(res, code, { error: { code, message, status } });
  };

  const exchange = async (req: IncomingMessage, raw: string, res: ServerResponse) => {
    const contentType = String(req.headers['content-type'] ?? '');
    let body: Record<string, unknown>;
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      body = {};
      for (const [k, v] of new URLSearchParams(raw)) body[FORM_FIELDS[k] ?? k] = v;
    } else if (contentType.startsWith('application/json')) {
      try {
        const parsed = JSON.parse(raw) as Record<string, unknown>;
        // proto JSON accepts the lowerCamel and the original snake_case field names alike
        body = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [snakeToCamel(k), v]));
      } catch {
        return oauthError(res, 400, 'invalid_request', 'Invalid JSON payload received.', {
          api: 'sts.token',
          status: 400,
          reason: 'json',
        });
      }
    } else {
      return oauthError(res, 400, 'invalid_request', `Unsupported content type ${contentType}`, {
        api: 'sts.token',
        status: 400,
        reason: 'content-type',
      });
    }
    received.push({ api: 'sts.token', contentType, body });
    const d = (status: number, reason: string, sub?: string): StsDecision => ({
      api: 'sts.token',
      status,
      reason,
      ...(sub ? { sub } : {}),
    });
    const problems = discoveryProblems(STS_DISCOVERY, { $ref: STS_TOKEN.request!.$ref }, body);
    if (problems.length > 0) {
      return oauthError(
        res,
        400,
        'invalid_request',
        `Invalid JSON payload received. ${problems.join('; ')}`,
        d(400, 'schema'),
      );
    }
    if (body['grantType'] !== 'urn:ietf:params:oauth:grant-type:token-exchange') {
      return oauthError(
        res,
        400,
        'unsupported_grant_type',
        `Unsupported grant type: ${body['grantType']}`,
        d(400, 'grant'),
      );
    }
    if (body['requestedTokenType'] !== 'urn:ietf:params:oauth:token-type:access_token') {
      return oauthError(
        res,
        400,
        'invalid_request',
        'Invalid requested_token_type',
        d(400, 'requested type'),
      );
    }
    if (
      !['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'].includes(
        String(body['subjectTokenType']),
      )
    ) {
      return oauthError(res, 400, 'invalid_request', 'Invalid subject_token_type', d(400, 'subject type'));
    }
    const audience = String(body['audience'] ?? '');
    const provider = providers.get(audience.replace(/^\/\/iam\.googleapis\.com\//, ''));
    if (!audience.startsWith('//iam.googleapis.com/') || !provider) {
      return oauthError(
        res,
        400,
        'invalid_target',
        'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
        d(400, 'unknown provider'),
      );
    }
    if (provider.disabled) {
      return oauthError(res, 400, 'invalid_target', 'The provider is disabled.', d(400, 'disabled'));
    }
    const token = String(body['subjectToken'] ?? '');
    let claims: JWTPayload;
    try {
      const header = decodeProtectedHeader(token);
      if (!header.kid || !['RS256', 'ES256'].includes(String(header.alg))) throw new Error('kid/alg');
      const audiences = provider.allowedAudiences?.length
        ? provider.allowedAudiences
        : [`https://iam.googleapis.com/${provider.name}`];
      ({ payload: claims } = await jwtVerify(token, await keysOf(provider.issuer), {
        issuer: provider.issuer,
        audience: audiences,
        algorithms: ['RS256', 'ES256'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      const why =
        code === 'ERR_JWT_EXPIRED'
          ? 'The ID Token has expired.'
          : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (err as { claim?: string }).claim === 'aud'
            ? 'The audience in ID Token does not match the expected audience.'
            : `Invalid ID Token: ${(err as Error).message}`;
      return oauthError(res, 400, 'invalid_grant', why, d(400, why));
    }
    const sub = String(claims.sub);
    const attributes: Record<string, string> = {};
    let subject: string;
    try {
      for (const [target, expr] of Object.entries(provider.attributeMapping)) {
        attributes[target] = String(evaluate(expr, { assertion: claims }));
      }
      subject = attributes['google.subject'] ?? '';
      delete attributes['google.subject'];
    } catch (err) {
      return oauthError(
        res,
        400,
        'invalid_grant',
        `Attribute mapping failed: ${(err as Error).message}`,
        d(400, 'mapping', sub),
      );
    }
    if (!subject)
      return oauthError(
        res,
        400,
        'invalid_grant',
        'The google.subject attribute is empty.',
        d(400, 'no subject', sub),
      );
    if (Buffer.byteLength(subject) > 127) {
      return oauthError(
        res,
        400,
        'invalid_grant',
        'The size of mapped attribute google.subject exceeds the 127 bytes limit.',
        d(400, 'subject too long', sub),
      );
    }
    if (provider.attributeCondition) {
      let ok = false;
      try {
        const attribute = Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k.replace(/^attribute\./, ''), v]),
        );
        ok =
          evaluate(provider.attributeCondition, { assertion: claims, google: { subject }, attribute }) ===
          true;
      } catch {
        ok = false;
      }
      if (!ok) {
        return oauthError(
          res,
          400,
          'unauthorized_client',
          'The given credential is rejected by the attribute condition.',
          d(400, 'attribute condition', sub),
        );
      }
    }
    const access = `sts.${randomBytes(24).toString('base64url')}`;
    federated.set(access, { provider, subject, attributes, expiresAt: Date.now() + 3600_000 });
    decisions.push(d(200, 'exchanged', sub));
    respond(res, STS_DISCOVERY, STS_TOKEN, {
      access_token: access,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3599,
    });
  };

  const generate = (req: IncomingMessage, raw: string, res: ServerResponse, serviceAccount: string) => {
    const d = (status: number, reason: string, sub?: string): StsDecision => ({
      api: 'iamcredentials.generateAccessToken',
      status,
      reason,
      serviceAccount,
      ...(sub ? { sub } : {}),
    });
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const fed = federated.get(bearer);
    if (!fed || fed.expiresAt < Date.now()) {
      return googleError(
        res,
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        d(401, 'no federated token'),
      );
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      return googleError(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.', d(400, 'json'));
    }
    received.push({
      api: 'iamcredentials.generateAccessToken',
      contentType: String(req.headers['content-type'] ?? ''),
      body,
    });
    const problems = discoveryProblems(IAM_CREDENTIALS_DISCOVERY, { $ref: GENERATE.request!.$ref }, body);
    if (problems.length > 0) {
      return googleError(
        res,
        400,
        'INVALID_ARGUMENT',
        `Invalid JSON payload received. ${problems.join('; ')}`,
        d(400, 'schema'),
      );
    }
    const scope = (body['scope'] as string[] | undefined) ?? [];
    if (scope.length === 0)
      return googleError(res, 400, 'INVALID_ARGUMENT', 'Scope required.', d(400, 'scope'));
    const lifetime = Number.parseFloat(String(body['lifetime'] ?? '3600s'));
    if (!(lifetime > 0 && lifetime <= 3600)) {
      return googleError(
        res,
        400,
        'INVALID_ARGUMENT',
        'The lifetime must be at most 3600s.',
        d(400, 'lifetime'),
      );
    }
    const pool = fed.provider.name.replace(/\/providers\/[^/]+$/, '');
    const principals = [
      `principal://iam.googleapis.com/${pool}/subject/${fed.subject}`,
      `principalSet://iam.googleapis.com/${pool}/*`,
      ...Object.entries(fed.attributes).map(
        ([k, v]) => `principalSet://iam.googleapis.com/${pool}/${k}/${v}`,
      ),
    ];
    const members = serviceAccounts.get(serviceAccount) ?? [];
    const sub = fed.attributes['attribute.sub'];
    if (!principals.some((p) => members.includes(p))) {
      return googleError(
        res,
        403,
        'PERMISSION_DENIED',
        "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        d(403, 'not a member', sub),
      );
    }
    const token = `ya29.${randomBytes(32).toString('base64url')}`;
    const expiresAt = Date.now() + lifetime * 1000;
    accessTokens.set(token, { serviceAccount, subject: fed.subject, attributes: fed.attributes, expiresAt });
    decisions.push(d(200, 'impersonated', sub));
    respond(res, IAM_CREDENTIALS_DISCOVERY, GENERATE, {
      accessToken: token,
      expireTime: new Date(expiresAt).toISOString(),
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname);
      const impersonate = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(
        path,
      );
      (async () => {
        if (req.method === 'POST' && path === `/${STS_TOKEN.path}`) return await exchange(req, raw, res);
        if (req.method === 'POST' && impersonate) {
          if (impersonate[1] !== '-') {
            return googleError(res, 400, 'INVALID_ARGUMENT', 'The project must be the - wildcard.', {
              api: 'iamcredentials.generateAccessToken',
              status: 400,
              reason: 'project',
            });
          }
          return generate(req, raw, res, impersonate[2] ?? '');
        }
        send(res, 404, {
          error: { code: 404, message: `${req.method} ${path} not found`, status: 'NOT_FOUND' },
        });
      })().catch((err: Error) =>
        send(res, 500, { error: { code: 500, message: err.message, status: 'INTERNAL' } }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    providers,
    serviceAccounts,
    accessTokens,
    decisions,
    received,
    addProject(rendered, issuer) {
      providers.set(rendered.providerName, {
        name: rendered.providerName,
        issuer,
        attributeMapping: rendered.attributeMapping,
        attributeCondition: rendered.attributeCondition,
      });
      serviceAccounts.set(
        rendered.planServiceAccount,
        rendered.planSubjects.map((s) => rendered.members[s] ?? ''),
      );
      serviceAccounts.set(
        rendered.applyServiceAccount,
        rendered.applySubjects.map((s) => rendered.members[s] ?? ''),
      );
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
