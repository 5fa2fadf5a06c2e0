/**
 * Repository administration: deployment environments (reviewers, prevent_self_review,
 * deployment branch policies), the Actions OIDC subject template, Actions' default workflow
 * permissions, and rulesets. Writes need `administration: write` (an admin's token or an App
 * granted it); the permission table says which read needs what.
 */
import type { EnvironmentRecord, RulesetRecord } from './repo-settings.ts';
import { type HandlerMap, notFound, page, type Reply, unprocessable, validationFailed } from './rest-kit.ts';
import type { Ctx } from './rest-objects.ts';
import { user } from './rest-objects.ts';
import { team } from './rest-reviews.ts';

type Json = Record<string, unknown>;

const repoApi = (ctx: Ctx) => `${ctx.api}/repos/${ctx.state.fullName}`;

// --- environments ------------------------------------------------------------------------------

function environment(ctx: Ctx, e: EnvironmentRecord): Json {
  const name = encodeURIComponent(e.name);
  const rules: Json[] = [];
  if (e.waitTimer > 0) {
    rules.push({ id: e.id + 1, node_id: `GA_${e.id + 1}`, type: 'wait_timer', wait_timer: e.waitTimer });
  }
  if (e.reviewers.length > 0) {
    rules.push({
      id: e.id + 2,
      node_id: `GA_${e.id + 2}`,
      type: 'required_reviewers',
      prevent_self_review: e.preventSelfReview,
      reviewers: e.reviewers.map((r) => ({ type: r.type, reviewer: reviewerObject(ctx, r) })),
    });
  }
  if (e.deploymentBranchPolicy)
    rules.push({ id: e.id + 3, node_id: `GA_${e.id + 3}`, type: 'branch_policy' });
  return {
    id: e.id,
    node_id: e.nodeId,
    name: e.name,
    url: `${repoApi(ctx)}/environments/${name}`,
    html_url: `${ctx.web}/${ctx.state.fullName}/deployments/activity_log?environments_filter=${name}`,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    protection_rules: rules,
    deployment_branch_policy: e.deploymentBranchPolicy,
  };
}

function reviewerObject(ctx: Ctx, r: { type: 'User' | 'Team'; id: number }): Json {
  if (r.type === 'Team') {
    const t = [...ctx.state.teams.values()].find((x) => x.id === r.id);
    if (t) return team(ctx, t);
  }
  const u = [...ctx.state.users.values()].find((x) => x.id === r.id);
  return user(ctx, u ?? { login: `ghost-${r.id}`, id: r.id, type: 'User' });
}

function branchPolicy(e: EnvironmentRecord['branchPolicies'][number]): Json {
  return { id: e.id, node_id: e.nodeId, name: e.name, type: e.type };
}

function envOr404(ctx: Ctx, name: string | undefined): EnvironmentRecord | undefined {
  return ctx.state.settings.environments.get(decodeURIComponent(String(name)));
}

/** What GitHub refuses in an environment body beyond its schema; undefined when it is acceptable. */
function invalidEnvironment(ctx: Ctx, b: Json): Reply | undefined {
  const reviewers = (b['reviewers'] ?? []) as { type?: string; id?: number }[];
  if (reviewers.length > 6)
    return validationFailed('Environment', 'reviewers', 'Only 6 reviewers are allowed');
  for (const r of reviewers) {
    const known =
      r.type === 'Team'
        ? [...ctx.state.teams.values()].some((t) => t.id === r.id)
        : [...ctx.state.users.values()].some((u) => u.id === r.id);
    if (!known)
      return validationFailed(
        'Environment',
        'reviewers',
        `Reviewer ${r.type} ${r.id} does not exist or has no access`,
      );
  }
  const wait = b['wait_timer'];
  if (typeof wait === 'number' && (wait < 0 || wait > 43_200)) {
    return validationFailed('Environment', 'wait_timer', 'wait_timer must be between 0 and 43200');
  }
  const policy = b['deployment_branch_policy'] as
    | { protected_branches: boolean; custom_branch_policies: boolean }
    | null
    | undefined;
  if (policy && policy.protected_branches === policy.custom_branch_policies) {
    return unprocessable(
      'Invalid deployment_branch_policy: exactly one of protected_branches and custom_branch_policies must be true',
    );
  }
  return undefined;
}

// --- rulesets ----------------------------------------------------------------------------------

function ruleset(ctx: Ctx, r: RulesetRecord, summary = false): Json {
  const self = `${repoApi(ctx)}/rulesets/${r.id}`;
  const common: Json = {
    id: r.id,
    name: r.name,
    target: r.target,
    source_type: 'Repository',
    source: ctx.state.fullName,
    enforcement: r.enforcement,
    node_id: r.nodeId,
    _links: { self: { href: self }, html: { href: `${ctx.web}/${ctx.state.fullName}/rules/${r.id}` } },
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
  if (summary) return common;
  return {
    ...common,
    bypass_actors: r.bypassActors,
    current_user_can_bypass: 'never',
    conditions: r.conditions,
    rules: r.rules,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: schema-validated body
function applyRuleset(r: RulesetRecord, b: any): void {
  if (b.name !== undefined) r.name = b.name;
  if (b.target !== undefined) r.target = b.target;
  if (b.enforcement !== undefined) r.enforcement = b.enforcement;
  if (b.bypass_actors !== undefined) r.bypassActors = b.bypass_actors;
  if (b.conditions !== undefined) r.conditions = b.conditions;
  if (b.rules !== undefined) r.rules = b.rules;
}

function duplicateName(ctx: Ctx, name: string, except?: number): Reply | undefined {
  const taken = [...ctx.state.settings.rulesets.values()].some((x) => x.name === name && x.id !== except);
  return taken ? validationFailed('Ruleset', 'name', 'Name must be unique') : undefined;
}

export const adminHandlers: HandlerMap = {
  'repos/get-all-environments': (req, ctx) => {
    const list = [...ctx.state.settings.environments.values()].sort((a, b) => a.name.localeCompare(b.name));
    return page(req, ctx, list, (p) => ({
      total_count: list.length,
      environments: p.map((e) => environment(ctx, e)),
    }));
  },
  'repos/get-environment': (req, ctx) => {
    const e = envOr404(ctx, req.params['environment_name']);
    return e ? { status: 200, body: environment(ctx, e) } : notFound();
  },
  'repos/create-or-update-environment': (req, ctx) => {
    const b = (req.body ?? {}) as Json;
    const invalid = invalidEnvironment(ctx, b);
    if (invalid) return invalid;
    const name = decodeURIComponent(String(req.params['environment_name']));
    const envs = ctx.state.settings.environments;
    let e = envs.get(name);
    const at = ctx.state.now();
    if (!e) {
      const id = ctx.state.newId();
      e = {
        id,
        nodeId: ctx.state.nodeIdFor('EN', id),
        name,
        createdAt: at,
        updatedAt: at,
        waitTimer: 0,
        preventSelfReview: false,
        reviewers: [],
        deploymentBranchPolicy: null,
        branchPolicies: [],
      };
      envs.set(name, e);
    }
    if (b['wait_timer'] !== undefined) e.waitTimer = Number(b['wait_timer']);
    if (b['prevent_self_review'] !== undefined) e.preventSelfReview = Boolean(b['prevent_self_review']);
    if (b['reviewers'] !== undefined) {
      e.reviewers = ((b['reviewers'] ?? []) as { type: 'User' | 'Team'; id: number }[]).map((r) => ({
        type: r.type,
        id: r.id,
      }));
    }
    if (b['deployment_branch_policy'] !== undefined) {
      const next = b['deployment_branch_policy'] as EnvironmentRecord['deploymentBranchPolicy'];
      // leaving custom branch policies drops the name patterns
      if (!next?.custom_branch_policies) e.branchPolicies = [];
      e.deploymentBranchPolicy = next ? { ...next } : null;
    }
    e.updatedAt = at;
    return { status: 200, body: environment(ctx, e) };
  },
  'repos/delete-an-environment': (req, ctx) =>
    ctx.state.settings.environments.delete(decodeURIComponent(String(req.params['environment_name'])))
      ? { status: 204 }
      : notFound(),
  'repos/list-deployment-branch-policies': (req, ctx) => {
    const e = envOr404(ctx, req.params['environment_name']);
    if (!e) return notFound();
    return page(req, ctx, e.branchPolicies, (p) => ({
      total_count: e.branchPolicies.length,
      branch_policies: p.map(branchPolicy),
    }));
  },
  'repos/get-deployment-branch-policy': (req, ctx) => {
    const p = envOr404(ctx, req.params['environment_name'])?.branchPolicies.find(
      (x) => x.id === Number(req.params['branch_policy_id']),
    );
    return p ? { status: 200, body: branchPolicy(p) } : notFound();
  },
  'repos/create-deployment-branch-policy': (req, ctx) => {
    const e = envOr404(ctx, req.params['environment_name']);
    // name patterns exist only under custom_branch_policies
    if (!e?.deploymentBranchPolicy?.custom_branch_policies) return notFound();
    const name = String(req.body.name);
    const type = (req.body.type ?? 'branch') as 'branch' | 'tag';
    const existing = e.branchPolicies.find((x) => x.name === name && x.type === type);
    if (existing) {
      return {
        status: 303,
        headers: {
          location: `${repoApi(ctx)}/environments/${encodeURIComponent(e.name)}/deployment-branch-policies/${existing.id}`,
        },
      };
    }
    const id = ctx.state.newId();
    const policy = { id, nodeId: ctx.state.nodeIdFor('GBP', id), name, type };
    e.branchPolicies.push(policy);
    return { status: 200, body: branchPolicy(policy) };
  },
  'repos/update-deployment-branch-policy': (req, ctx) => {
    const p = envOr404(ctx, req.params['environment_name'])?.branchPolicies.find(
      (x) => x.id === Number(req.params['branch_policy_id']),
    );
    if (!p) return notFound();
    p.name = String(req.body.name);
    return { status: 200, body: branchPolicy(p) };
  },
  'repos/delete-deployment-branch-policy': (req, ctx) => {
    const e = envOr404(ctx, req.params['environment_name']);
    const id = Number(req.params['branch_policy_id']);
    if (!e?.branchPolicies.some((x) => x.id === id)) return notFound();
    e.branchPolicies = e.branchPolicies.filter((x) => x.id !== id);
    return { status: 204 };
  },

  // --- Actions settings ------------------------------------------------------------------------
  'actions/get-custom-oidc-sub-claim-for-repo': (_req, ctx) => ({
    status: 200,
    body: { ...ctx.state.settings.oidcSubject },
  }),
  'actions/set-custom-oidc-sub-claim-for-repo': (req, ctx) => {
    const b = req.body as { use_default: boolean; include_claim_keys?: string[] };
    const keys = b.include_claim_keys;
    if (!b.use_default) {
      if (!keys?.length) return unprocessable('include_claim_keys is required when use_default is false');
      if (keys.some((k) => !/^[A-Za-z0-9_]+$/.test(k)) || new Set(keys).size !== keys.length) {
        return unprocessable(
          'include_claim_keys must be unique and contain only alphanumeric characters and underscores',
        );
      }
    }
    ctx.state.settings.oidcSubject = b.use_default
      ? { use_default: true, ...(keys ? { include_claim_keys: keys } : {}) }
      : { use_default: false, include_claim_keys: [...(keys ?? [])] };
    return { status: 201, body: {} };
  },
  'actions/get-github-actions-default-workflow-permissions-repository': (_req, ctx) => ({
    status: 200,
    body: { ...ctx.state.settings.workflowPermissions },
  }),
  'actions/set-github-actions-default-workflow-permissions-repository': (req, ctx) => {
    const w = ctx.state.settings.workflowPermissions;
    if (req.body?.default_workflow_permissions !== undefined)
      w.default_workflow_permissions = req.body.default_workflow_permissions;
    if (req.body?.can_approve_pull_request_reviews !== undefined) {
      w.can_approve_pull_request_reviews = req.body.can_approve_pull_request_reviews;
    }
    return { status: 204 };
  },

  // --- rulesets --------------------------------------------------------------------------------
  'repos/get-repo-rulesets': (req, ctx) => {
    const targets = String(req.query['targets'] ?? '')
      .split(',')
      .filter(Boolean);
    const list = [...ctx.state.settings.rulesets.values()].filter(
      (r) => !targets.length || targets.includes(r.target),
    );
    return page(
      req,
      ctx,
      list.map((r) => ruleset(ctx, r, true)),
    );
  },
  'repos/get-repo-ruleset': (req, ctx) => {
    const r = ctx.state.settings.rulesets.get(Number(req.params['ruleset_id']));
    return r ? { status: 200, body: ruleset(ctx, r) } : notFound();
  },
  'repos/create-repo-ruleset': (req, ctx) => {
    const dup = duplicateName(ctx, String(req.body.name));
    if (dup) return dup;
    const id = ctx.state.newId();
    const at = ctx.state.now();
    const r: RulesetRecord = {
      id,
      nodeId: ctx.state.nodeIdFor('RRS', id),
      name: String(req.body.name),
      target: 'branch',
      enforcement: 'active',
      bypassActors: [],
      conditions: null,
      rules: [],
      createdAt: at,
      updatedAt: at,
    };
    applyRuleset(r, req.body);
    ctx.state.settings.rulesets.set(id, r);
    return { status: 201, body: ruleset(ctx, r) };
  },
  'repos/update-repo-ruleset': (req, ctx) => {
    const r = ctx.state.settings.rulesets.get(Number(req.params['ruleset_id']));
    if (!r) return notFound();
    if (req.body?.name !== undefined) {
      const dup = duplicateName(ctx, String(req.body.name), r.id);
      if (dup) return dup;
    }
    applyRuleset(r, req.body ?? {});
    r.updatedAt = ctx.state.now();
    return { status: 200, body: ruleset(ctx, r) };
  },
  'repos/delete-repo-ruleset': (req, ctx) =>
    ctx.state.settings.rulesets.delete(Number(req.params['ruleset_id'])) ? { status: 204 } : notFound(),
};
