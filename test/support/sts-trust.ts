import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

/**
 * moto accepts any web identity token (it never verifies signatures, audiences or subjects).
 * AWS does, through the role's trust policy. This file holds that missing half for tests:
 * the trust policy the github-oidc module writes, its evaluation against a verified token, and
 * a loopback "gate" in front of moto that answers AssumeRoleWithWebIdentity the way STS does
 * (AccessDenied / InvalidIdentityToken / ExpiredTokenException) and forwards everything else.
 */

type ConditionOp = 'StringEquals' | 'StringLike';
export interface TrustStatement {
  Effect: 'Allow' | 'Deny';
  Principal: { Federated: string };
  Action: string | string[];
  Condition?: Partial<Record<ConditionOp, Record<string, string | string[]>>>;
}
export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: TrustStatement[];
}

/** Host+path of an issuer as IAM names it (no scheme): the condition-key prefix. */
export const issuerHost = (issuer: string) => issuer.replace(/^https?:\/\//, '').replace(/\/$/, '');

/**
 * The trust policy of a team role as idlc/aws/modules/github-oidc encodes it: StringEquals on
 * aud and sub; the plan role trusts `repo:ORG/REPO:pull_request`, the apply role only
 * `repo:ORG/REPO:environment:<team>-<env>`.
 */
export function githubOidcTrustPolicy(opts: {
  accountId: string;
  issuer: string;
  subjects: string[];
  audience?: string;
}): TrustPolicy {
  const host = issuerHost(opts.issuer);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${opts.accountId}:oidc-provider/${host}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${host}:aud`]: opts.audience ?? 'sts.amazonaws.com',
            [`${host}:sub`]: opts.subjects,
          },
        },
      },
    ],
  };
}

const likeToRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );

function conditionHolds(op: ConditionOp, expected: string | string[], actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual.map(String) : actual === undefined ? [] : [String(actual)];
  const wanted = Array.isArray(expected) ? expected : [expected];
  return values.some((v) => wanted.some((w) => (op === 'StringEquals' ? v === w : likeToRegExp(w).test(v))));
}

/** IAM's decision for verified claims: an explicit Deny wins, else any matching Allow. */
export function evaluateTrustPolicy(
  policy: TrustPolicy,
  issuer: string,
  claims: JWTPayload,
): { allowed: boolean; reason: string } {
  const host = issuerHost(issuer);
  const matches = (s: TrustStatement) => {
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    if (!actions.includes('sts:AssumeRoleWithWebIdentity')) return false;
    if (!s.Principal.Federated.endsWith(`:oidc-provider/${host}`)) return false;
    for (const [op, conds] of Object.entries(s.Condition ?? {}) as [ConditionOp, Record<string, string>][]) {
      for (const [key, expected] of Object.entries(conds)) {
        if (!key.startsWith(`${host}:`)) return false;
        if (!conditionHolds(op, expected, claims[key.slice(host.length + 1)])) return false;
      }
    }
    return true;
  };
  if (policy.Statement.some((s) => s.Effect === 'Deny' && matches(s)))
    return { allowed: false, reason: 'explicit deny' };
  if (policy.Statement.some((s) => s.Effect === 'Allow' && matches(s)))
    return { allowed: true, reason: 'allow' };
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
