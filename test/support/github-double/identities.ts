/**
 * Who a request acts as. The double issues tokens the way GitHub does and remembers what each
 * one may do:
 *   - `workflow`: a job's GITHUB_TOKEN — an installation token of the GitHub Actions app, acting
 *     as github-actions[bot], with the job's `permissions:` block (metadata read always). It is
 *     scoped to one run and dies when the run completes. A fork PR's token is read-only whatever
 *     it asks for (GitHub's default for pull_request runs from forks).
 *   - `app-installation`: an installation token of a registered GitHub App, acting as
 *     `<slug>[bot]`, with the requested permissions (a subset of what the installation was
 *     granted); minted through POST /app/installations/{id}/access_tokens with an App JWT, or
 *     directly by a test.
 *   - `user`: a person's token — a classic PAT (the person's repository role decides) or a
 *     fine-grained PAT (its permissions, capped by the role).
 * Tokens the double did not issue act as `state.actor` with every permission (`legacy`),
 * unless the double runs with `strictTokens`, which answers them 401 as GitHub does.
 */
import { createPublicKey, createVerify, type KeyObject, randomBytes } from 'node:crypto';
import type { Actor } from './state.ts';

export type Access = 'read' | 'write';
/** Permission name → level, spelled as GitHub Apps spell them (`pull_requests`, `id_token`). */
export type Permissions = Record<string, Access>;

export interface AppRef {
  id: number;
  slug: string;
  name: string;
}

/** The app behind every GITHUB_TOKEN. Its id is what rulesets name as `integration_id` for Actions. */
export const GITHUB_ACTIONS_APP: AppRef = { id: 15368, slug: 'github-actions', name: 'GitHub Actions' };

export type RepoRole = 'read' | 'triage' | 'write' | 'maintain' | 'admin';

/** Keys a workflow's `permissions:` block may set (GitHub refuses any other, e.g. `administration`). */
const WORKFLOW_SCOPES = new Set([
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
]);

export interface WorkflowTokenSpec {
  kind: 'workflow';
  /** owner/name. A fork PR's token carries the base repository, as on GitHub (default: the double's). */
  repository?: string;
  runId: number;
  /** The file of the job's workflow (what its job_workflow_ref names); default: the run's path. */
  workflowFile?: string;
  job: string;
  /** The job's `permissions:` block as written in YAML (`pull-requests: write`, `id-token: write`). */
  permissions: Record<string, Access | 'none'>;
  /** Default: the run's event. */
  event?: string;
  /** GITHUB_REF of the job, e.g. refs/pull/7/merge or refs/heads/main. */
  ref?: string;
  /** The run is for a pull request from a fork: every permission is read-only, whatever it asks for. */
  fork?: boolean;
  /** The token string to answer to (default: a fresh ghs_… value). */
  token?: string;
}

export interface AppTokenSpec {
  kind: 'app-installation';
  appId: number;
  /** A subset of the installation's permissions (default: all of them). */
  permissions?: Permissions;
  token?: string;
}

export interface UserTokenSpec {
  kind: 'user';
  login: string;
  /** The person's role on the repository (default: write). */
  role?: RepoRole;
  /** A fine-grained PAT's permissions; absent: a classic PAT with the `repo` scope. */
  permissions?: Permissions;
  token?: string;
}

export type TokenSpec = WorkflowTokenSpec | AppTokenSpec | UserTokenSpec;

export interface RunScope {
  runId: number;
  runAttempt: number;
  job: string;
  workflowFile: string;
  event: string;
  ref: string;
  fork: boolean;
}

export interface Identity {
  kind: 'workflow' | 'app-installation' | 'user' | 'legacy';
  token: string;
  actor: Actor;
  permissions: Permissions;
  /** The GitHub App the token belongs to (workflow tokens: GitHub Actions). */
  app?: AppRef;
  /** Workflow tokens: the run and job they were issued to. */
  run?: RunScope;
  /** User tokens: the person's repository role, and whether the token is fine-grained. */
  role?: RepoRole;
  fineGrained?: boolean;
  /** Legacy (unregistered) tokens are not checked. */
  enforced: boolean;
}

export interface RegisteredApp extends AppRef {
  installationId: number;
  /** What the installation was granted. */
  permissions: Permissions;
  publicKey: KeyObject;
  bot: Actor;
}

export interface AppSpec {
  appId: number;
  slug: string;
  name?: string;
  /** The App's private key (PKCS#1 or PKCS#8 PEM); the double keeps only its public half. */
  privateKeyPem: string;
  installationId: number;
  permissions: Permissions;
}

/** What the registry needs from the repository state. */
export interface IdentityHost {
  fullName: string;
  user(login: string): Actor;
  runStatus(runId: number): { status: string; attempt: number; event: string; path: string } | undefined;
}

const ORDER: Record<Access, number> = { read: 1, write: 2 };

export function allows(identity: Identity, name: string, access: Access): boolean {
  const have = identity.permissions[name];
  return have !== undefined && ORDER[have] >= ORDER[access];
}

/** What a person's repository role lets a classic token do (GitHub's role table, in permission terms). */
function roleCaps(role: RepoRole): Permissions {
  const read: Permissions = {
    metadata: 'read',
    contents: 'read',
    actions: 'read',
    checks: 'read',
    statuses: 'read',
    deployments: 'read',
    members: 'read',
    // anyone who can read the repository may open issues, comment and review
    issues: 'write',
    pull_requests: 'write',
  };
  if (role === 'read' || role === 'triage') return read;
  const write: Permissions = {
    ...read,
    contents: 'write',
    actions: 'write',
    statuses: 'write',
    deployments: 'write',
    checks: 'write',
  };
  if (role === 'write' || role === 'maintain') return write;
  return { ...write, administration: 'write' };
}

function cap(wanted: Permissions, limit: Permissions): Permissions {
  const out: Permissions = {};
  for (const [name, access] of Object.entries(wanted)) {
    const max = limit[name];
    if (!max) continue;
    out[name] = ORDER[access] <= ORDER[max] ? access : max;
  }
  return out;
}

const fresh = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

/** Bot users get ids in their own range; a stable function of the App id. */
const botId = (appId: number) => 100_000_000 + appId;

export class TokenRegistry {
  readonly apps = new Map<number, RegisteredApp>();
  private readonly tokens = new Map<string, Identity>();

  constructor(private readonly host: IdentityHost) {}

  registerApp(spec: AppSpec): RegisteredApp {
    const app: RegisteredApp = {
      id: spec.appId,
      slug: spec.slug,
      name: spec.name ?? spec.slug,
      installationId: spec.installationId,
      permissions: { metadata: 'read', ...spec.permissions },
      publicKey: createPublicKey(spec.privateKeyPem),
      bot: { login: `${spec.slug}[bot]`, id: botId(spec.appId), type: 'Bot' },
    };
    this.apps.set(app.id, app);
    return app;
  }

  appByInstallation(installationId: number): RegisteredApp | undefined {
    return [...this.apps.values()].find((a) => a.installationId === installationId);
  }

  /** Issue a token; returns the string to send as `Authorization: token …`. */
  issue(spec: TokenSpec): string {
    const identity = this.identityFor(spec);
    this.tokens.set(identity.token, identity);
    return identity.token;
  }

  /** The identity behind a token, or undefined when the double never issued it or it expired. */
  resolve(token: string): Identity | undefined {
    const identity = this.tokens.get(token);
    if (!identity) return undefined;
    if (identity.run) {
      // a GITHUB_TOKEN expires when its job ends; here: when the run (attempt) is over
      const run = this.host.runStatus(identity.run.runId);
      if (!run || run.status === 'completed' || run.attempt !== identity.run.runAttempt) return undefined;
    }
    return identity;
  }

  get issuedAny(): boolean {
    return this.tokens.size > 0;
  }

  private identityFor(spec: TokenSpec): Identity {
    if (spec.kind === 'workflow') return this.workflowIdentity(spec);
    if (spec.kind === 'app-installation') {
      const app = this.apps.get(spec.appId);
      if (!app) throw new Error(`github double: register App ${spec.appId} first (gh.registerApp)`);
      const wanted = spec.permissions ?? app.permissions;
      const granted = cap(wanted, app.permissions);
      for (const [name, access] of Object.entries(wanted)) {
        if (granted[name] !== access) {
          throw new Error(`github double: App ${app.slug} was not granted ${name}: ${access}`);
        }
      }
      return {
        kind: 'app-installation',
        token: spec.token ?? fresh('ghs_'),
        actor: app.bot,
        permissions: { ...granted, metadata: 'read' },
        app: { id: app.id, slug: app.slug, name: app.name },
        enforced: true,
      };
    }
    const role = spec.role ?? 'write';
    const caps = roleCaps(role);
    return {
      kind: 'user',
      token: spec.token ?? fresh(spec.permissions ? 'github_pat_' : 'ghp_'),
      actor: this.host.user(spec.login),
      permissions: spec.permissions ? cap({ ...spec.permissions, metadata: 'read' }, caps) : caps,
      role,
      fineGrained: Boolean(spec.permissions),
      enforced: true,
    };
  }

  private workflowIdentity(spec: WorkflowTokenSpec): Identity {
    const repository = spec.repository ?? this.host.fullName;
    if (repository !== this.host.fullName) {
      throw new Error(
        `github double: a workflow token belongs to the repository whose workflow runs (${this.host.fullName}), not ${repository}; model a fork PR with fork: true`,
      );
    }
    const run = this.host.runStatus(spec.runId);
    if (!run)
      throw new Error(`github double: no workflow run ${spec.runId} (add it with state.addWorkflowRun)`);
    if (run.status === 'completed') {
      throw new Error(`github double: run ${spec.runId} is completed; its jobs' tokens have expired`);
    }
    const permissions: Permissions = { metadata: 'read' };
    for (const [key, level] of Object.entries(spec.permissions)) {
      if (!WORKFLOW_SCOPES.has(key)) {
        throw new Error(`github double: a workflow's permissions block cannot grant "${key}"`);
      }
      if (level === 'none') continue;
      const name = key.replaceAll('-', '_');
      if (spec.fork) {
        // fork PRs: read-only token, and no OIDC token at all
        if (name !== 'id_token') permissions[name] = 'read';
        continue;
      }
      permissions[name] = level;
    }
    return {
      kind: 'workflow',
      token: spec.token ?? fresh('ghs_'),
      actor: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      permissions,
      app: GITHUB_ACTIONS_APP,
      run: {
        runId: spec.runId,
        runAttempt: run.attempt,
        job: spec.job,
        workflowFile: spec.workflowFile ?? run.path,
        event: spec.event ?? run.event,
        ref: spec.ref ?? '',
        fork: Boolean(spec.fork),
      },
      enforced: true,
    };
  }
}

/** The identity of a token the double did not issue, when tokens are not strict. */
export function legacyIdentity(token: string, actor: Actor): Identity {
  return { kind: 'legacy', token, actor, permissions: {}, enforced: false };
}

// --- App JWTs (RS256, iss = App id), as GitHub checks them ------------------------------------

export type JwtCheck = { app: RegisteredApp } | { error: string };

const b64json = (part: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

export function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);
}

/** Verify an App JWT; the messages are GitHub's 401 messages. */
export function verifyAppJwt(token: string, apps: Map<number, RegisteredApp>, nowMs = Date.now()): JwtCheck {
  const [h, p, s] = token.split('.');
  const header = h ? b64json(h) : undefined;
  const payload = p ? b64json(p) : undefined;
  if (!header || !payload || s === undefined) return { error: 'A JSON web token could not be decoded' };
  if (header['alg'] !== 'RS256') return { error: "'alg' must be RS256" };
  const app = apps.get(Number(payload['iss']));
  if (!app) return { error: "'Issuer' claim ('iss') must be an Integer" };
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${h}.${p}`);
  if (!verifier.verify(app.publicKey, Buffer.from(s, 'base64url'))) {
    return { error: 'A JSON web token could not be decoded' };
  }
  const now = Math.floor(nowMs / 1000);
  const iat = Number(payload['iat']);
  const exp = Number(payload['exp']);
  if (!Number.isFinite(iat) || iat > now + 60)
    return { error: "'Issued at' claim ('iat') must be an Integer representing a time in the past" };
  if (!Number.isFinite(exp) || exp <= now)
    return {
      error:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  if (exp - iat > 600) return { error: "'Expiration time' claim ('exp') is too far in the future" };
  return { app };
}
