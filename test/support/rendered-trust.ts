import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Registry } from '../../src/config/schema.ts';
import { cliConfigFile, toolPath } from '../../src/toolchain/tools.ts';
import { issuerHost, type TrustPolicy, type TrustStatement } from './sts-trust.ts';

/**
 * The trust policies idlc/aws/modules/github-oidc actually renders, for the STS trust gate.
 *
 * One real `tofu test` run per distinct input (cached per test file): a fixture root calls the
 * module once per team account with the AWS provider mocked (`mock_provider`; the real
 * provider's schema, no credentials, no network), and a `terraform_data` provisioner writes the
 * module's `trust_policies`, `plan_subjects`, `apply_subjects` and `github_environments`
 * outputs to a file. The policies are the `assume_role_policy` of the module's role resources.
 */

const run = promisify(execFile);
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const GITHUB_OIDC_MODULE = join(REPO_ROOT, 'idlc', 'aws', 'modules', 'github-oidc');
/** The issuer the module's provider and condition keys name. */
export const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';

/** One module call: a team's roles in one AWS account. */
export interface GithubOidcAccount {
  team: string;
  accountId: string;
  environments: string[];
  planReviewEnvs?: string[];
}

export interface RenderInput {
  repository: string;
  defaultBranch?: string;
  accounts: GithubOidcAccount[];
}

export interface RenderedAccount extends GithubOidcAccount {
  planSubjects: Record<string, string[]>;
  applySubjects: Record<string, string[]>;
  githubEnvironments: string[];
  /** By role name, as set on the roles. */
  trustPolicies: Record<string, TrustPolicy>;
}

export interface RenderedGithubOidc {
  accounts: RenderedAccount[];
  /** Trust policy by role ARN (arn:aws:iam::<account>:role/<name>). */
  roles: Map<string, TrustPolicy>;
}

/**
 * The github-oidc module calls a registry implies: one per team and AWS account, with that
 * account's envs, plan review where idlc.yaml sets `plan_review`.
 */
export function registryRenderInput(registry: Registry, repository: string): RenderInput {
  const review = new Set(registry.environments.filter((e) => e.plan_review).map((e) => e.name));
  const accounts = new Map<string, GithubOidcAccount>();
  for (const [team, t] of Object.entries(registry.teams)) {
    for (const [env, te] of Object.entries(t.envs)) {
      const accountId = te.aws?.account_id;
      if (!accountId) continue;
      const a = accounts.get(`${team}@${accountId}`) ?? {
        team,
        accountId,
        environments: [],
        planReviewEnvs: [],
      };
      a.environments.push(env);
      if (review.has(env)) a.planReviewEnvs?.push(env);
      accounts.set(`${team}@${accountId}`, a);
    }
  }
  return {
    repository: registry.github?.repository ?? repository,
    defaultBranch: registry.github?.default_branch ?? 'main',
    accounts: [...accounts.values()],
  };
}

const key = (a: GithubOidcAccount) => `${a.team}@${a.accountId}`;

function fixture(input: RenderInput, outFile: string): Record<string, string> {
  const accounts = Object.fromEntries(
    input.accounts.map((a) => [
      key(a),
      {
        team: a.team,
        account_id: a.accountId,
        environments: a.environments,
        plan_review_envs: a.planReviewEnvs ?? [],
      },
    ]),
  );
  // JSON is valid HCL expression syntax, so inputs are passed without hand-written quoting.
  return {
    'main.tf': `variable "accounts" {
  type = map(object({ team = string, account_id = string, environments = list(string), plan_review_envs = list(string) }))
}

module "github_oidc" {
  source   = ${JSON.stringify(GITHUB_OIDC_MODULE)}
  for_each = var.accounts

  repository               = ${JSON.stringify(input.repository)}
  default_branch           = ${JSON.stringify(input.defaultBranch ?? 'main')}
  team                     = each.value.team
  environments             = each.value.environments
  plan_review_envs         = each.value.plan_review_envs
  create_oidc_provider     = false
  oidc_provider_arn        = "arn:aws:iam::\${each.value.account_id}:oidc-provider/${GITHUB_ISSUER_HOST}"
  state_bucket_arn         = "arn:aws:s3:::idlc-tfstate-\${each.value.team}-\${each.value.account_id}"
  state_kms_key_arn        = "arn:aws:kms:eu-west-1:\${each.value.account_id}:key/00000000-0000-0000-0000-000000000000"
  permissions_boundary_arn = "arn:aws:iam::\${each.value.account_id}:policy/idlc-boundary"
}

resource "terraform_data" "rendered" {
  provisioner "local-exec" {
    command = "printf '%s' \\"$RENDERED\\" > \\"$OUT\\""
    environment = {
      OUT = ${JSON.stringify(outFile)}
      RENDERED = jsonencode({ for k, m in module.github_oidc : k => {
        trust_policies      = m.trust_policies
        plan_subjects       = m.plan_subjects
        apply_subjects      = m.apply_subjects
        github_environments = m.github_environments
      } })
    }
  }
}
`,
    'tests/render.tftest.hcl': `mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "000000000000" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  accounts = ${JSON.stringify(accounts)}
}

run "render" {
  command = apply
}
`,
  };
}

async function renderOnce(input: RenderInput): Promise<RenderedGithubOidc> {
  const tofurc = cliConfigFile();
  if (!tofurc)
    throw new Error(
      'rendered-trust: no provider mirror config: run scripts/install-tools --with-heavy-providers',
    );
  const dir = await mkdtemp(join(tmpdir(), 'idlc-rendered-trust-'));
  const outFile = join(dir, 'rendered.json');
  const env: NodeJS.ProcessEnv = {
    PATH: toolPath(),
    HOME: process.env['HOME'],
    TF_CLI_CONFIG_FILE: tofurc,
    TF_PLUGIN_CACHE_DIR:
      process.env['TF_PLUGIN_CACHE_DIR'] ?? join(homedir(), '.cache', 'idlc', 'plugin-cache'),
    TF_IN_AUTOMATION: '1',
  };
  try {
    await mkdir(join(dir, 'tests'), { recursive: true });
    await mkdir(env['TF_PLUGIN_CACHE_DIR'] as string, { recursive: true });
    for (const [f, text] of Object.entries(fixture(input, outFile))) await writeFile(join(dir, f), text);
    for (const args of [
      ['init', '-input=false', '-no-color'],
      ['test', '-no-color'],
    ]) {
      try {
        await run('tofu', args, { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        throw new Error(
          `rendered-trust: tofu ${args[0]} of the github-oidc fixture failed (is the AWS provider built? scripts/install-tools --with-heavy-providers):\n${e.stdout ?? ''}${e.stderr ?? String(err)}`,
        );
      }
    }
    const raw = JSON.parse(await readFile(outFile, 'utf8')) as Record<
      string,
      {
        trust_policies: Record<string, string>;
        plan_subjects: Record<string, string[]>;
        apply_subjects: Record<string, string[]>;
        github_environments: string[];
      }
    >;
    const roles = new Map<string, TrustPolicy>();
    const accounts = input.accounts.map((a): RenderedAccount => {
      const r = raw[key(a)];
      if (!r) throw new Error(`rendered-trust: no output for ${key(a)}`);
      const trustPolicies = Object.fromEntries(
        Object.entries(r.trust_policies).map(([name, json]) => [name, JSON.parse(json) as TrustPolicy]),
      );
      for (const [name, policy] of Object.entries(trustPolicies)) {
        roles.set(`arn:aws:iam::${a.accountId}:role/${name}`, policy);
      }
      return {
        ...a,
        planSubjects: r.plan_subjects,
        applySubjects: r.apply_subjects,
        githubEnvironments: r.github_environments,
        trustPolicies,
      };
    });
    return { accounts, roles };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cache = new Map<string, Promise<RenderedGithubOidc>>();

/** The module's rendering for these inputs; one tofu run per distinct input in this process. */
export function renderGithubOidc(input: RenderInput): Promise<RenderedGithubOidc> {
  const k = JSON.stringify(input);
  let p = cache.get(k);
  if (!p) {
    p = renderOnce(input);
    p.catch(() => cache.delete(k));
    cache.set(k, p);
  }
  return p;
}

/**
 * The same policy as trusted for a test issuer: the OIDC provider and the condition-key prefix
 * renamed from token.actions.githubusercontent.com to the issuer's host. Nothing else changes.
 */
export function forIssuer(policy: TrustPolicy, issuer: string): TrustPolicy {
  const host = issuerHost(issuer);
  const rename = (k: string) =>
    k.startsWith(`${GITHUB_ISSUER_HOST}:`) ? `${host}${k.slice(GITHUB_ISSUER_HOST.length)}` : k;
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return {
    ...policy,
    Statement: statements.map(
      (s): TrustStatement => ({
        ...s,
        Principal: {
          Federated: (Array.isArray(s.Principal.Federated)
            ? s.Principal.Federated
            : [s.Principal.Federated]
          ).map((p) => p.replace(`:oidc-provider/${GITHUB_ISSUER_HOST}`, `:oidc-provider/${host}`)),
        },
        ...(s.Condition
          ? {
              Condition: Object.fromEntries(
                Object.entries(s.Condition).map(([op, conds]) => [
                  op,
                  Object.fromEntries(Object.entries(conds).map(([k, v]) => [rename(k), v])),
                ]),
              ),
            }
          : {}),
      }),
    ),
  };
}

/** Role ARN → trust policy for the STS gate, retargeted to the test issuer. */
export function gateRoles(rendered: RenderedGithubOidc, issuer: string): Map<string, TrustPolicy> {
  return new Map([...rendered.roles].map(([arn, policy]) => [arn, forIssuer(policy, issuer)]));
}
