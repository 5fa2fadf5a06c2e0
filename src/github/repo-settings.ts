/**
 * The repository settings the trust boundary relies on, derived from the registry, and how a
 * repository's current settings differ from them. Pure: setup.ts reads the current settings
 * through the REST API and writes the differences; `idlc doctor --github` lists them.
 *
 * What the registry asks for:
 *   - per team and env, the GitHub environment `<team>-<env>` the apply job runs in: only the
 *     default branch may deploy to it; protected envs need an approval of an owner team, and
 *     the person who started the run may not approve it (prevent_self_review);
 *   - per env with `plan_review`, `<team>-<env>-plan`: owner teams approve running PR code with
 *     the plan role. No branch restriction: for pull_request runs GitHub checks the PR's head
 *     branch against deployment branch policies, so "default branch only" would refuse every
 *     PR plan; the OIDC subject still pins the plan-run workflow at the default branch;
 *   - with `github.app`, the environment holding the App key: default branch only;
 *   - the OIDC subject template `repo, context, job_workflow_ref` (src/auth/oidc-subjects.ts);
 *   - GITHUB_TOKEN read-only by default, and Actions may not approve pull requests;
 *   - one ruleset on the default branch: required check `idlc/plan` from the idlc App (or
 *     GitHub Actions), a pull request with an approval, stale approvals dismissed on push,
 *     the last push approved by someone else, code owners' review, no bypass, no force push,
 *     no deletion.
 */
import { applyEnvironment, OIDC_SUB_CLAIM_KEYS, planReviewEnvironment } from '../auth/oidc-subjects.ts';
import type { Registry } from '../config/schema.ts';
import { UsageError } from '../util/errors.ts';

export const RULESET_NAME = 'idlc: default branch';
export const REQUIRED_CHECK = 'idlc/plan';
/** The GitHub App behind every GITHUB_TOKEN: the integration of checks written by workflows. */
export const GITHUB_ACTIONS_APP_ID = 15368;

export interface DesiredEnvironment {
  name: string;
  /** What the environment is for, in the plan's words. */
  purpose: string;
  /** Slugs of teams of the repository's organization that approve jobs in it. */
  reviewerTeams: string[];
  preventSelfReview: boolean;
  /** `default`: only the default branch may deploy; `all`: no branch restriction. */
  branches: 'default' | 'all';
  /** Where in idlc.yaml the reviewers come from (for error messages). */
  source: string;
}

export interface DesiredSettings {
  owner: string;
  repo: string;
  defaultBranch: string;
  environments: DesiredEnvironment[];
  oidc: { use_default: false; include_claim_keys: string[] };
  workflowPermissions: { default_workflow_permissions: 'read'; can_approve_pull_request_reviews: false };
  ruleset: { name: string; ref: string; requiredCheck: { context: string; integration_id: number } };
}

function ownerTeams(reg: Registry, team: string, org: string): string[] {
  const owners = reg.teams[team]?.owners ?? [];
  return owners.map((o) => {
    const [teamOrg, slug] = o.replace(/^@/, '').split('/') as [string, string];
    if (teamOrg.toLowerCase() !== org.toLowerCase()) {
      throw new UsageError(
        `idlc.yaml: teams.${team}.owners: ${o} is not a team of ${org}, so it cannot review environments of ${reg.github?.repository}`,
        `name a team of the ${org} organization`,
      );
    }
    return slug;
  });
}

export function desiredSettings(reg: Registry): DesiredSettings {
  const gh = reg.github;
  if (!gh) {
    throw new UsageError(
      'idlc.yaml: github is not set, so there is no repository to configure',
      'add github: { repository: <owner>/<name>, default_branch: main } to idlc.yaml',
    );
  }
  const [owner, repo] = gh.repository.split('/') as [string, string];
  const envs = new Map(reg.environments.map((e) => [e.name, e]));
  const environments: DesiredEnvironment[] = [];
  for (const [team, def] of Object.entries(reg.teams)) {
    const reviewers = ownerTeams(reg, team, owner);
    for (const envName of Object.keys(def.envs)) {
      const env = envs.get(envName);
      if (!env) continue; // the registry loader refuses this; nothing to configure
      const protectedEnv = env.protected;
      if (protectedEnv && reviewers.length > 6) {
        throw new UsageError(
          `idlc.yaml: teams.${team}.owners: GitHub allows at most 6 reviewers per environment, ${team} has ${reviewers.length}`,
          'name at most 6 owner teams',
        );
      }
      environments.push({
        name: applyEnvironment(team, envName),
        purpose: `apply ${team}/${envName}${protectedEnv ? ' (protected)' : ''}`,
        reviewerTeams: protectedEnv ? reviewers : [],
        preventSelfReview: protectedEnv,
        branches: 'default',
        source: `teams.${team}.owners`,
      });
      if (env.plan_review) {
        environments.push({
          name: planReviewEnvironment(team, envName),
          purpose: `plan review ${team}/${envName}`,
          reviewerTeams: reviewers,
          preventSelfReview: true,
          branches: 'all',
          source: `teams.${team}.owners`,
        });
      }
    }
  }
  if (gh.app) {
    environments.push({
      name: gh.app.environment,
      purpose: 'idlc App key',
      reviewerTeams: [],
      preventSelfReview: false,
      branches: 'default',
      source: 'github.app.environment',
    });
  }
  return {
    owner,
    repo,
    defaultBranch: gh.default_branch,
    environments,
    oidc: { use_default: false, include_claim_keys: [...OIDC_SUB_CLAIM_KEYS] },
    workflowPermissions: { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false },
    ruleset: {
      name: RULESET_NAME,
      ref: `refs/heads/${gh.default_branch}`,
      requiredCheck: { context: REQUIRED_CHECK, integration_id: gh.app?.app_id ?? GITHUB_ACTIONS_APP_ID },
    },
  };
}

// --- the current settings, as read through the REST API -------------------------------------

export interface CurrentEnvironment {
  reviewers: { type: string; id: number }[];
  preventSelfReview: boolean;
  branchPolicy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  branchPatterns: { id: number; name: string; type: string }[];
}

export interface RulesetRule {
  type: string;
  parameters?: Record<string, unknown>;
}

export interface CurrentRuleset {
  id: number;
  enforcement: string;
  target: string;
  conditions: { ref_name?: { include?: string[]; exclude?: string[] } } | null;
  bypassActors: unknown[];
  rules: RulesetRule[];
}

// --- differences -------------------------------------------------------------------------------

/** How one environment differs, one line per attribute; [] when it is as the registry wants. */
export function environmentDifferences(
  want: DesiredEnvironment,
  have: CurrentEnvironment | undefined,
  teamIds: Map<string, number>,
  defaultBranch: string,
): string[] {
  if (!have) return ['does not exist'];
  const out: string[] = [];
  const wantIds = want.reviewerTeams.map((s) => teamIds.get(s)).sort();
  const haveIds = have.reviewers.map((r) => (r.type === 'Team' ? r.id : -r.id)).sort();
  if (JSON.stringify(wantIds) !== JSON.stringify(haveIds)) {
    const names = (ids: number[]) =>
      ids.length === 0
        ? 'none'
        : ids
            .map(
              (id) => [...teamIds].find(([, v]) => v === id)?.[0] ?? (id < 0 ? `user ${-id}` : `team ${id}`),
            )
            .join(', ');
    out.push(`required reviewers: ${names(haveIds)} (want ${names(wantIds as number[])})`);
  }
  if (want.reviewerTeams.length > 0 && have.preventSelfReview !== want.preventSelfReview) {
    out.push(`prevent self-review: ${have.preventSelfReview} (want ${want.preventSelfReview})`);
  }
  if (want.branches === 'all') {
    if (have.branchPolicy) out.push(`deployment branches: restricted (want all branches: PR runs use it)`);
  } else {
    const custom = have.branchPolicy?.custom_branch_policies === true;
    const patterns = have.branchPatterns.map((p) => `${p.type}:${p.name}`).sort();
    if (!custom || JSON.stringify(patterns) !== JSON.stringify([`branch:${defaultBranch}`])) {
      const now = !have.branchPolicy
        ? 'all branches'
        : have.branchPolicy.protected_branches
          ? 'protected branches'
          : patterns.join(', ') || 'no branch';
      out.push(`deployment branches: ${now} (want ${defaultBranch} only)`);
    }
  }
  return out;
}

export function oidcDifferences(
  want: DesiredSettings['oidc'],
  have: { use_default: boolean; include_claim_keys?: string[] },
): string[] {
  if (
    !have.use_default &&
    JSON.stringify(have.include_claim_keys ?? []) === JSON.stringify(want.include_claim_keys)
  ) {
    return [];
  }
  const now = have.use_default ? 'the default subject' : (have.include_claim_keys ?? []).join(', ');
  return [`subject claim keys: ${now} (want ${want.include_claim_keys.join(', ')})`];
}

export function workflowPermissionDifferences(
  want: DesiredSettings['workflowPermissions'],
  have: { default_workflow_permissions: string; can_approve_pull_request_reviews: boolean },
): string[] {
  const out: string[] = [];
  if (have.default_workflow_permissions !== want.default_workflow_permissions) {
    out.push(`default GITHUB_TOKEN permissions: ${have.default_workflow_permissions} (want read)`);
  }
  if (have.can_approve_pull_request_reviews !== want.can_approve_pull_request_reviews) {
    out.push('Actions may approve pull requests (want not)');
  }
  return out;
}

const rule = (rs: CurrentRuleset, type: string) => rs.rules.find((r) => r.type === type);

export function rulesetDifferences(
  want: DesiredSettings['ruleset'],
  have: CurrentRuleset | undefined,
): string[] {
  if (!have) return ['does not exist'];
  const out: string[] = [];
  if (have.enforcement !== 'active') out.push(`enforcement: ${have.enforcement} (want active)`);
  if (have.target !== 'branch') out.push(`target: ${have.target} (want branch)`);
  const include = have.conditions?.ref_name?.include ?? [];
  const exclude = have.conditions?.ref_name?.exclude ?? [];
  if (JSON.stringify(include) !== JSON.stringify([want.ref]) || exclude.length > 0) {
    out.push(
      `branches: ${include.join(', ') || 'none'}${exclude.length ? ` except ${exclude.join(', ')}` : ''} (want ${want.ref})`,
    );
  }
  if (have.bypassActors.length > 0) out.push(`bypass list: ${have.bypassActors.length} actor(s) (want none)`);
  if (!rule(have, 'deletion')) out.push('branch deletion allowed (want blocked)');
  if (!rule(have, 'non_fast_forward')) out.push('force pushes allowed (want blocked)');
  const pr = rule(have, 'pull_request')?.parameters;
  if (!pr) {
    out.push('pull request not required (want required, with approval)');
  } else {
    if (Number(pr['required_approving_review_count'] ?? 0) < 1)
      out.push('required approvals: 0 (want at least 1)');
    if (pr['dismiss_stale_reviews_on_push'] !== true)
      out.push('stale approvals kept on push (want dismissed)');
    if (pr['require_last_push_approval'] !== true)
      out.push('last push approval not required (want required)');
    if (pr['require_code_owner_review'] !== true) out.push('code owner review not required (want required)');
  }
  const checks = (rule(have, 'required_status_checks')?.parameters?.['required_status_checks'] ?? []) as {
    context: string;
    integration_id?: number;
  }[];
  const check = checks.find((c) => c.context === want.requiredCheck.context);
  if (!check) {
    out.push(`required check ${want.requiredCheck.context} missing`);
  } else if (check.integration_id !== want.requiredCheck.integration_id) {
    out.push(
      `required check ${want.requiredCheck.context} from ${check.integration_id ?? 'any source'} (want app ${want.requiredCheck.integration_id})`,
    );
  }
  return out;
}

/**
 * The ruleset to write: ours, keeping what an admin added that does not weaken it (more
 * approvals, thread resolution, strict checks, other required checks, other rule types).
 */
export function rulesetBody(want: DesiredSettings['ruleset'], have: CurrentRuleset | undefined) {
  const keep = (have?.rules ?? []).filter(
    (r) => !['deletion', 'non_fast_forward', 'pull_request', 'required_status_checks'].includes(r.type),
  );
  const pr = (have && rule(have, 'pull_request')?.parameters) ?? {};
  const statusParams = (have && rule(have, 'required_status_checks')?.parameters) ?? {};
  const otherChecks = ((statusParams['required_status_checks'] ?? []) as { context: string }[]).filter(
    (c) => c.context !== want.requiredCheck.context,
  );
  return {
    name: want.name,
    target: 'branch' as const,
    enforcement: 'active' as const,
    bypass_actors: [],
    conditions: { ref_name: { include: [want.ref], exclude: [] } },
    rules: [
      ...keep,
      { type: 'deletion' },
      { type: 'non_fast_forward' },
      {
        type: 'pull_request',
        parameters: {
          ...pr,
          required_approving_review_count: Math.max(1, Number(pr['required_approving_review_count'] ?? 0)),
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: true,
          require_last_push_approval: true,
          required_review_thread_resolution: pr['required_review_thread_resolution'] === true,
        },
      },
      {
        type: 'required_status_checks',
        parameters: {
          ...statusParams,
          strict_required_status_checks_policy: statusParams['strict_required_status_checks_policy'] === true,
          required_status_checks: [...otherChecks, want.requiredCheck],
        },
      },
    ],
  };
}
