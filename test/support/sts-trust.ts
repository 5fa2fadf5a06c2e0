import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

/**
 * moto accepts any web identity token (it never verifies signatures, audiences or subjects).
 * AWS does, through the role's trust policy. This file holds that missing half for tests:
 * IAM's evaluation of a trust policy against a verified token, and a loopback "gate" in front
 * of moto that answers AssumeRoleWithWebIdentity the way STS does (AccessDenied /
 * InvalidIdentityToken / ExpiredTokenException) and forwards everything else. The policies it
 * evaluates are the ones idlc/aws/modules/github-oidc renders (test/support/rendered-trust.ts),
 * never a copy.
 */

export interface TrustStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: { Federated: string | string[] };
  Action: string | string[];
  /** operator → condition key → value(s). */
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: TrustStatement | TrustStatement[];
}

/** Host+path of an issuer as IAM names it (no scheme): the condition-key prefix. */
export const issuerHost = (issuer: string) => issuer.replace(/^https?:\/\//, '').replace(/\/$/, '');

/**
 * The claims of a web identity token IAM exposes as condition keys of a generic OIDC provider:
 * `<provider>:aud` and `<provider>:sub` only. Other claims (job_workflow_ref, repository, …)
 * cannot be conditioned on in AWS — which is why the repository customizes `sub` to carry them.
 */
const IAM_OIDC_CONDITION_CLAIMS = new Set(['aud', 'sub']);

const likeToRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );

const STRING_OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'] as const;
type StringOperator = (typeof STRING_OPERATORS)[number];

/**
 * One condition operator on one key, as IAM evaluates it (IAM User Guide, "Condition operators"
 * and "Multivalued context keys"):
 * - several values in the policy are ORed: the key matches if it equals/matches any of them;
 * - a Not… operator is the negation, and is true when the key is absent;
 * - …IfExists is true when the key is absent;
 * - ForAnyValue: true if any request value matches (false when absent);
 *   ForAllValues: true if every request value matches — and true when the key is absent.
 * Operators the trust policies of this toolkit never use throw, so a module change to one is
 * noticed instead of being evaluated wrongly.
 */
export function conditionHolds(operator: string, expected: string | string[], actual: unknown): boolean {
  const m = /^(ForAnyValue:|ForAllValues:)?(\w+?)(IfExists)?$/.exec(operator);
  const op = m?.[2] as StringOperator | undefined;
  if (!m || !op || !STRING_OPERATORS.includes(op)) {
    throw new Error(`sts-trust: condition operator ${operator} is not modelled; extend conditionHolds`);
  }
  const values = Array.isArray(actual) ? actual.map(String) : actual === undefined ? [] : [String(actual)];
  const wanted = Array.isArray(expected) ? expected : [expected];
  const negated = op.startsWith('StringNot');
  const like = op.endsWith('Like');
  const matchesOne = (v: string) => wanted.some((w) => (like ? likeToRegExp(w).test(v) : v === w));
  if (values.length === 0) return Boolean(m[3]) || m[1] === 'ForAllValues:' || (negated && !m[1]);
  const test = (v: string) => (negated ? !matchesOne(v) : matchesOne(v));
  if (m[1] === 'ForAllValues:') return values.every(test);
  if (negated && !m[1]) return values.every(test);
  return values.some(test);
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** IAM's decision for verified claims: an explicit Deny wins, else any matching Allow. */
export function evaluateTrustPolicy(
  policy: TrustPolicy,
  issuer: string,
  claims: JWTPayload,
): { allowed: boolean; reason: string } {
  const host = issuerHost(issuer);
  const matches = (s: TrustStatement) => {
    for (const key of Object.keys(s)) {
      if (!['Sid', 'Effect', 'Principal', 'Action', 'Condition'].includes(key)) {
        throw new Error(`sts-trust: statement element ${key} is not modelled`);
      }
    }
    if (!asList(s.Action).some((a) => likeToRegExp(a).test('sts:AssumeRoleWithWebIdentity'))) return false;
    if (!asList(s.Principal.Federated).some((p) => p.endsWith(`:oidc-provider/${host}`))) return false;
    for (const [op, conds] of Object.entries(s.Condition ?? {})) {
      for (const [key, expected] of Object.entries(conds)) {
        // Condition keys are case-insensitive; a key of another provider, or a claim IAM does
        // not expose, is absent from the request context.
        const [prefix, claim] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
        const known = prefix.toLowerCase() === host.toLowerCase() && IAM_OIDC_CONDITION_CLAIMS.has(claim);
        if (!conditionHolds(op, expected, known ? claims[claim] : undefined)) return false;
      }
    }
    return true;
  };
  const statements = asList(policy.Statement);
  if (statements.some((s) => s.Effect === 'Deny' && matches(s)))
    return { allowed: false, reason: 'explicit deny' };
  if (statements.some((s) => s.Effect === 'Allow' && matches(s))) return { allowed: true, reason: 'allow' };
  return {
    allowed: false,
    reason: `no statement allows sub=${String(claims.sub)} aud=${String(claims.aud)}`,
  };
}

/** Verify a token the way STS does with a registered OIDC provider: discovery → JWKS → signature, iss, exp. */
export async function verifyIdToken(token: string, issuer: string): Promise<JWTPayload> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload } = await jwtVerify(token, jwks, { issuer, algorithms: ['RS256'] });
  return payload;
}

export interface StsTrustGate {
  /** Give this to the toolkit as the STS endpoint. */
  endpoint: string;
  /** Trust policies by role ARN; a role not listed does not exist (AccessDenied, as in AWS). */
  roles: Map<string, TrustPolicy>;
  decisions: { roleArn: string; allowed: boolean; reason: string; sub?: string }[];
  stop(): Promise<void>;
}

const stsError = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>${randomBytes(16).toString('hex')}</RequestId></ErrorResponse>`,
  );
};

export async function startStsTrustGate(opts: { upstream: string; issuer: string }): Promise<StsTrustGate> {
  const roles = new Map<string, TrustPolicy>();
  const decisions: StsTrustGate['decisions'] = [];
  const upstream = new URL(opts.upstream);

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', (e) => stsError(res, 502, 'ServiceUnavailable', e.message));
    up.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      if (req.method !== 'POST' || form.get('Action') !== 'AssumeRoleWithWebIdentity') {
        forward(req, body, res);
        return;
      }
      const roleArn = form.get('RoleArn') ?? '';
      const token = form.get('WebIdentityToken') ?? '';
      (async () => {
        let claims: JWTPayload;
        try {
          claims = await verifyIdToken(token, opts.issuer);
        } catch (err) {
          const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
          decisions.push({ roleArn, allowed: false, reason: String(err) });
          if (expired) return stsError(res, 400, 'ExpiredTokenException', 'Token expired: current date/time');
          return stsError(res, 400, 'InvalidIdentityToken', "Couldn't verify the token signature");
        }
        const policy = roles.get(roleArn);
        const decision = policy
          ? evaluateTrustPolicy(policy, opts.issuer, claims)
          : { allowed: false, reason: 'role does not exist' };
        decisions.push({ roleArn, ...decision, sub: String(claims.sub) });
        if (!decision.allowed) {
          return stsError(
            res,
            403,
            'AccessDenied',
            'Not authorized to perform sts:AssumeRoleWithWebIdentity',
          );
        }
        forward(req, body, res);
      })().catch((err) => stsError(res, 500, 'InternalFailure', String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    roles,
    decisions,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
