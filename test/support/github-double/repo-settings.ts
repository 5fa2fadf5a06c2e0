/**
 * The repository's settings that the trust boundary depends on: deployment environments
 * (reviewers, self-review, deployment branch policies), rulesets, the Actions OIDC subject
 * template and Actions' default workflow permissions. Written through the administration
 * endpoints (rest-admin.ts); tests may also change them "behind our back".
 */

export interface EnvironmentRecord {
  id: number;
  nodeId: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  waitTimer: number;
  preventSelfReview: boolean;
  reviewers: { type: 'User' | 'Team'; id: number }[];
  /** null: every branch may deploy. */
  deploymentBranchPolicy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  branchPolicies: { id: number; nodeId: string; name: string; type: 'branch' | 'tag' }[];
}

export interface RulesetRecord {
  id: number;
  nodeId: string;
  name: string;
  target: 'branch' | 'tag' | 'push';
  enforcement: 'disabled' | 'active' | 'evaluate';
  bypassActors: { actor_id?: number | null; actor_type: string; bypass_mode?: string }[];
  conditions: { ref_name?: { include?: string[]; exclude?: string[] } } | null;
  rules: { type: string; parameters?: Record<string, unknown> }[];
  createdAt: string;
  updatedAt: string;
}

export interface PullRequestRuleParameters {
  required_approving_review_count: number;
  dismiss_stale_reviews_on_push: boolean;
  require_code_owner_review: boolean;
  require_last_push_approval: boolean;
  required_review_thread_resolution: boolean;
}

export class RepoSettings {
  readonly environments = new Map<string, EnvironmentRecord>();
  readonly rulesets = new Map<number, RulesetRecord>();
  oidcSubject: { use_default: boolean; include_claim_keys?: string[] } = { use_default: true };
  workflowPermissions: {
    default_workflow_permissions: 'read' | 'write';
    can_approve_pull_request_reviews: boolean;
  } = { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false };

  /** Active branch rulesets whose ref_name condition covers `branch`. */
  rulesetsFor(branch: string, defaultBranch: string): RulesetRecord[] {
    const ref = `refs/heads/${branch}`;
    const matches = (pattern: string) =>
      pattern === '~ALL' ||
      (pattern === '~DEFAULT_BRANCH' && branch === defaultBranch) ||
      new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(ref);
    return [...this.rulesets.values()].filter((r) => {
      if (r.target !== 'branch' || r.enforcement !== 'active') return false;
      const cond = r.conditions?.ref_name;
      return (cond?.include ?? []).some(matches) && !(cond?.exclude ?? []).some(matches);
    });
  }

  /** The pull_request rule that applies to `branch`, if any (the first active one). */
  pullRequestRule(branch: string, defaultBranch: string): PullRequestRuleParameters | undefined {
    for (const r of this.rulesetsFor(branch, defaultBranch)) {
      const rule = r.rules.find((x) => x.type === 'pull_request');
      if (rule) return rule.parameters as unknown as PullRequestRuleParameters;
    }
    return undefined;
  }
}
