/**
 * `idlc setup-github` and `idlc doctor --github`: read the repository's settings through the
 * REST API, compare them with what the registry asks for (repo-settings.ts), and write only
 * the differences. Reading comes first and completely: when anything cannot be read, nothing
 * is written. Every failure names the setting, the request, GitHub's status and the fix.
 */
import { UsageError } from '../util/errors.ts';
import type { GitHubClient } from './client.ts';
import {
  type CurrentEnvironment,
  type CurrentRuleset,
  type DesiredEnvironment,
  type DesiredSettings,
  environmentDifferences,
  oidcDifferences,
  rulesetBody,
  rulesetDifferences,
  workflowPermissionDifferences,
} from './repo-settings.ts';

/** One setting: what the registry wants, how the repository differs, and how to write it. */
export interface SettingCheck {
  setting: string;
  /** What the setting should be, in a few words (the ✓ line). */
  want: string;
  differences: string[];
  /** Why it could not be read (with the fix); then `differences` is empty. */
  error?: string;
  apply?: () => Promise<void>;
}

export class GitHubSettingError extends UsageError {}

const ADMIN =
  'a token with administration: write on the repository (a repository admin’s token: classic with the repo scope, or fine-grained with Administration read and write)';

function fixFor(status: number, need: string): string {
  if (status === 401)
    return 'the token is invalid or expired: set GH_TOKEN (or name another variable with --token-env)';
  if (status === 403 || status === 404) return `use ${need}`;
  if (status === 422)
    return 'GitHub refused the value: see the message; fix idlc.yaml or the repository and run again';
  return 'retry; if it persists, check https://www.githubstatus.com';
}

/** Run one request; a failure becomes an error that names the setting, the request, the status and the fix. */
async function call<T>(setting: string, request: string, need: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { status?: number; message?: string; response?: { data?: { message?: string } } };
    if (typeof e.status !== 'number') throw err;
    const message = e.response?.data?.message ?? e.message ?? '';
    throw new GitHubSettingError(
      `${setting}: ${request} answered ${e.status} (${message})`,
      fixFor(e.status, need),
    );
  }
}

const isStatus = (err: unknown, status: number) => (err as { status?: number }).status === status;

async function orUndefinedOn404<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isStatus(err, 404)) return undefined;
    throw err;
  }
}

function describeEnvironment(e: DesiredEnvironment, org: string, defaultBranch: string): string {
  const who = e.reviewerTeams.length
    ? `reviewers ${e.reviewerTeams.map((t) => `@${org}/${t}`).join(', ')}${e.preventSelfReview ? ', no self-review' : ''}`
    : 'no reviewers';
  const where = e.branches === 'default' ? `${defaultBranch} only` : 'any branch';
  return `${e.purpose}: ${who}, ${where}`;
}

/**
 * Read every setting and compare it with the registry's. Never throws for a setting it cannot
 * read: that setting's check carries the error.
 */
export async function inspectRepository(
  client: GitHubClient,
  want: DesiredSettings,
): Promise<SettingCheck[]> {
  const gh = client.rest.rest;
  const repo = { owner: want.owner, repo: want.repo };
  const path = `/repos/${want.owner}/${want.repo}`;
  const checks: SettingCheck[] = [];
  const guarded = async (setting: string, wantText: string, body: (c: SettingCheck) => Promise<void>) => {
    const check: SettingCheck = { setting, want: wantText, differences: [] };
    checks.push(check);
    try {
      await body(check);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      check.error = err.message;
      check.differences = [];
      delete check.apply;
    }
  };

  let branchOk = true;
  await guarded('repository default branch', want.defaultBranch, async (c) => {
    const r = await call(
      c.setting,
      `GET ${path}`,
      'a token that can read the repository (metadata: read)',
      () => gh.repos.get(repo),
    );
    if (r.data.default_branch !== want.defaultBranch) {
      branchOk = false;
      c.differences.push(
        `${r.data.default_branch} (idlc.yaml github.default_branch says ${want.defaultBranch})`,
      );
      c.error = `repository default branch: GitHub says ${r.data.default_branch}, idlc.yaml says ${want.defaultBranch}\n  fix: make github.default_branch in idlc.yaml and the repository's default branch agree (setup-github does not rename branches)`;
    }
  });
  if (!branchOk) return checks;

  // reviewer teams, resolved to the ids environments take
  const teamIds = new Map<string, number>();
  for (const slug of [...new Set(want.environments.flatMap((e) => e.reviewerTeams))].sort()) {
    const source = want.environments.find((e) => e.reviewerTeams.includes(slug))?.source ?? 'teams';
    await guarded(`team @${want.owner}/${slug}`, `exists (${source})`, async (c) => {
      const t = await call(
        c.setting,
        `GET /orgs/${want.owner}/teams/${slug}`,
        'a token that can read the organization’s teams (members: read, or read:org)',
        () => orUndefinedOn404(() => gh.teams.getByName({ org: want.owner, team_slug: slug })),
      );
      if (!t) {
        throw new GitHubSettingError(
          `${c.setting}: not found (idlc.yaml ${source})`,
          `create the team in ${want.owner}, fix ${source}, or use a token that can see it`,
        );
      }
      teamIds.set(slug, t.data.id);
    });
  }

  for (const env of want.environments) {
    const setting = `environment ${env.name}`;
    await guarded(setting, describeEnvironment(env, want.owner, want.defaultBranch), async (c) => {
      if (env.reviewerTeams.some((s) => !teamIds.has(s))) {
        throw new GitHubSettingError(
          `${setting}: a reviewer team could not be resolved`,
          'see the team line above',
        );
      }
      const current = await readEnvironment(client, want, env.name);
      c.differences = environmentDifferences(env, current, teamIds, want.defaultBranch);
      if (c.differences.length) c.apply = () => writeEnvironment(client, want, env, teamIds);
    });
  }

  await guarded('OIDC subject template', want.oidc.include_claim_keys.join(', '), async (c) => {
    const req = `GET ${path}/actions/oidc/customization/sub`;
    const r = await call(c.setting, req, 'a token with actions: read', () =>
      gh.actions.getCustomOidcSubClaimForRepo(repo),
    );
    c.differences = oidcDifferences(want.oidc, r.data);
    c.apply = async () => {
      await call(
        c.setting,
        `PUT ${path}/actions/oidc/customization/sub`,
        'a token with actions: write (or administration: write)',
        () => gh.actions.setCustomOidcSubClaimForRepo({ ...repo, ...want.oidc }),
      );
    };
  });

  await guarded(
    'Actions workflow permissions',
    'GITHUB_TOKEN read-only by default, may not approve PRs',
    async (c) => {
      const r = await call(
        c.setting,
        `GET ${path}/actions/permissions/workflow`,
        'a token with administration: read',
        () => gh.actions.getGithubActionsDefaultWorkflowPermissionsRepository(repo),
      );
      c.differences = workflowPermissionDifferences(want.workflowPermissions, r.data);
      c.apply = async () => {
        await call(c.setting, `PUT ${path}/actions/permissions/workflow`, ADMIN, () =>
          gh.actions.setGithubActionsDefaultWorkflowPermissionsRepository({
            ...repo,
            ...want.workflowPermissions,
          }),
        );
      };
    },
  );

  const r = want.ruleset;
  await guarded(
    `ruleset "${r.name}"`,
    `${r.ref}: PR with approval, stale approvals dismissed, last push approved, code owners, required ${r.requiredCheck.context}, no bypass, no force push or deletion`,
    async (c) => {
      const current = await readRuleset(client, want, c.setting);
      c.differences = rulesetDifferences(r, current);
      c.apply = async () => {
        const body = rulesetBody(r, current);
        if (current) {
          await call(c.setting, `PUT ${path}/rulesets/${current.id}`, ADMIN, () =>
            gh.repos.updateRepoRuleset({ ...repo, ruleset_id: current.id, ...body } as never),
          );
        } else {
          await call(c.setting, `POST ${path}/rulesets`, ADMIN, () =>
            gh.repos.createRepoRuleset({ ...repo, ...body } as never),
          );
        }
      };
    },
  );

  for (const c of checks) if (c.differences.length === 0) delete c.apply;
  return checks;
}

async function readEnvironment(
  client: GitHubClient,
  want: DesiredSettings,
  name: string,
): Promise<CurrentEnvironment | undefined> {
  const gh = client.rest.rest;
  const repo = { owner: want.owner, repo: want.repo };
  const setting = `environment ${name}`;
  const path = `/repos/${want.owner}/${want.repo}/environments/${name}`;
  const env = await call(setting, `GET ${path}`, 'a token with actions: read', () =>
    orUndefinedOn404(() => gh.repos.getEnvironment({ ...repo, environment_name: name })),
  );
  if (!env) return undefined;
  const rules = (env.data.protection_rules ?? []) as {
    type: string;
    prevent_self_review?: boolean;
    reviewers?: { type?: string; reviewer?: { id?: number } }[];
  }[];
  const reviewersRule = rules.find((x) => x.type === 'required_reviewers');
  const policy = env.data.deployment_branch_policy ?? null;
  const patterns = policy?.custom_branch_policies
    ? await call(setting, `GET ${path}/deployment-branch-policies`, 'a token with actions: read', () =>
        client.rest.paginate(gh.repos.listDeploymentBranchPolicies, {
          ...repo,
          environment_name: name,
          per_page: 100,
        }),
      )
    : [];
  return {
    reviewers: (reviewersRule?.reviewers ?? []).map((x) => ({
      type: x.type ?? 'User',
      id: x.reviewer?.id ?? 0,
    })),
    preventSelfReview: reviewersRule?.prevent_self_review === true,
    branchPolicy: policy,
    branchPatterns: patterns.map((p) => ({
      id: p.id ?? 0,
      name: p.name ?? '',
      type: (p as { type?: string }).type ?? 'branch',
    })),
  };
}

async function writeEnvironment(
  client: GitHubClient,
  want: DesiredSettings,
  env: DesiredEnvironment,
  teamIds: Map<string, number>,
): Promise<void> {
  const gh = client.rest.rest;
  const repo = { owner: want.owner, repo: want.repo };
  const setting = `environment ${env.name}`;
  const path = `/repos/${want.owner}/${want.repo}/environments/${env.name}`;
  await call(setting, `PUT ${path}`, ADMIN, () =>
    gh.repos.createOrUpdateEnvironment({
      ...repo,
      environment_name: env.name,
      prevent_self_review: env.preventSelfReview,
      reviewers: env.reviewerTeams.map((slug) => ({
        type: 'Team' as const,
        id: teamIds.get(slug) as number,
      })),
      deployment_branch_policy:
        env.branches === 'default' ? { protected_branches: false, custom_branch_policies: true } : null,
    }),
  );
  if (env.branches !== 'default') return;
  const patterns = await call(
    setting,
    `GET ${path}/deployment-branch-policies`,
    'a token with actions: read',
    () =>
      client.rest.paginate(gh.repos.listDeploymentBranchPolicies, {
        ...repo,
        environment_name: env.name,
        per_page: 100,
      }),
  );
  for (const p of patterns) {
    const type = (p as { type?: string }).type ?? 'branch';
    if (p.name === want.defaultBranch && type === 'branch') continue;
    await call(setting, `DELETE ${path}/deployment-branch-policies/${p.id}`, ADMIN, () =>
      gh.repos.deleteDeploymentBranchPolicy({
        ...repo,
        environment_name: env.name,
        branch_policy_id: p.id ?? 0,
      }),
    );
  }
  if (
    !patterns.some(
      (p) => p.name === want.defaultBranch && ((p as { type?: string }).type ?? 'branch') === 'branch',
    )
  ) {
    await call(setting, `POST ${path}/deployment-branch-policies`, ADMIN, () =>
      gh.repos.createDeploymentBranchPolicy({
        ...repo,
        environment_name: env.name,
        name: want.defaultBranch,
        type: 'branch',
      }),
    );
  }
}

async function readRuleset(
  client: GitHubClient,
  want: DesiredSettings,
  setting: string,
): Promise<CurrentRuleset | undefined> {
  const gh = client.rest.rest;
  const repo = { owner: want.owner, repo: want.repo };
  const path = `/repos/${want.owner}/${want.repo}/rulesets`;
  const all = await call(
    setting,
    `GET ${path}`,
    'a token that can read the repository (metadata: read)',
    () => client.rest.paginate(gh.repos.getRepoRulesets, { ...repo, includes_parents: false, per_page: 100 }),
  );
  const summary = all.find((r) => r.name === want.ruleset.name);
  if (!summary) return undefined;
  const r = await call(
    setting,
    `GET ${path}/${summary.id}`,
    'a token that can read the repository (metadata: read)',
    () => gh.repos.getRepoRuleset({ ...repo, ruleset_id: summary.id }),
  );
  return {
    id: r.data.id,
    enforcement: r.data.enforcement,
    target: r.data.target ?? 'branch',
    conditions: (r.data.conditions ?? null) as CurrentRuleset['conditions'],
    bypassActors: r.data.bypass_actors ?? [],
    rules: (r.data.rules ?? []) as CurrentRuleset['rules'],
  };
}

export interface SetupResult {
  checks: SettingCheck[];
  /** Settings written (or, with dryRun, that would be). */
  changed: SettingCheck[];
}

/**
 * Make the repository's settings what the registry asks for. Reads everything first; refuses
 * to write anything when a setting could not be read. With `dryRun` it only plans.
 */
export async function setupRepository(
  client: GitHubClient,
  want: DesiredSettings,
  opts: { dryRun: boolean },
): Promise<SetupResult> {
  const checks = await inspectRepository(client, want);
  const failed = checks.filter((c) => c.error);
  if (failed.length > 0) {
    throw new GitHubSettingError(
      `cannot read the repository's settings, so nothing was changed:\n${failed.map((c) => `  ${c.error}`).join('\n')}`,
    );
  }
  const changed = checks.filter((c) => c.differences.length > 0);
  if (!opts.dryRun) for (const c of changed) await c.apply?.();
  return { checks, changed };
}
