// setup-github against the GitHub double with strict tokens: every request is validated
// against GitHub's OpenAPI description and checked against the token's permissions.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../../test/support/github-double/index.ts';
import { parseRegistry } from '../config/load.ts';
import { createGitHubClient, type GitHubClient } from './client.ts';
import { desiredSettings } from './repo-settings.ts';
import { inspectRepository, setupRepository } from './setup.ts';

const REGISTRY = parseRegistry(
  readFileSync(new URL('./testdata/settings-registry.yaml', import.meta.url), 'utf8'),
);
const want = desiredSettings(REGISTRY);

const doubles: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

async function repository() {
  const gh = await startGitHubDouble({ owner: 'acme', repo: 'platform', strictTokens: true });
  doubles.push(gh);
  const teams = {
    platform: gh.state.addTeam({ slug: 'platform' }).id,
    sre: gh.state.addTeam({ slug: 'sre' }).id,
    search: gh.state.addTeam({ slug: 'search', members: ['alice'] }).id,
  };
  return { gh, teams };
}

function client(gh: GitHubDouble, token: string): GitHubClient {
  return createGitHubClient({ token, apiUrl: gh.url, retries: 0, throttle: false });
}

const writes = (gh: GitHubDouble) =>
  gh.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

describe('setupRepository', () => {
  it('configures a fresh repository, after which nothing differs; --dry-run changes nothing', async () => {
    const { gh, teams } = await repository();
    const admin = client(gh, gh.issueToken({ kind: 'user', login: 'root', role: 'admin' }));
    // a repository from before GitHub made GITHUB_TOKEN read-only by default
    gh.state.settings.workflowPermissions = {
      default_workflow_permissions: 'write',
      can_approve_pull_request_reviews: true,
    };

    const planned = await setupRepository(admin, want, { dryRun: true });
    expect(planned.changed.map((c) => c.setting)).toEqual([
      'environment platform-dev',
      'environment search-dev',
      'environment search-prod',
      'environment search-prod-plan',
      'OIDC subject template',
      'Actions workflow permissions',
      'ruleset "idlc: default branch"',
    ]);
    expect(writes(gh)).toEqual([]);
    expect(gh.state.settings.environments.size).toBe(0);

    expect(gh.state.settings.workflowPermissions.default_workflow_permissions).toBe('write');

    const done = await setupRepository(admin, want, { dryRun: false });
    expect(done.changed).toHaveLength(7);
    expect(gh.state.settings.workflowPermissions).toEqual({
      default_workflow_permissions: 'read',
      can_approve_pull_request_reviews: false,
    });

    const env = (name: string) => {
      const e = gh.state.settings.environments.get(name);
      return (
        e && {
          reviewers: e.reviewers,
          preventSelfReview: e.preventSelfReview,
          policy: e.deploymentBranchPolicy,
          patterns: e.branchPolicies.map((p) => `${p.type}:${p.name}`),
        }
      );
    };
    const mainOnly = {
      policy: { protected_branches: false, custom_branch_policies: true },
      patterns: ['branch:main'],
    };
    expect(env('platform-dev')).toEqual({ reviewers: [], preventSelfReview: false, ...mainOnly });
    expect(env('search-dev')).toEqual({ reviewers: [], preventSelfReview: false, ...mainOnly });
    expect(env('search-prod')).toEqual({
      reviewers: [{ type: 'Team', id: teams.search }],
      preventSelfReview: true,
      ...mainOnly,
    });
    expect(env('search-prod-plan')).toEqual({
      reviewers: [{ type: 'Team', id: teams.search }],
      preventSelfReview: true,
      policy: null,
      patterns: [],
    });
    expect(gh.state.settings.oidcSubject).toEqual({
      use_default: false,
      include_claim_keys: ['repo', 'context', 'job_workflow_ref'],
    });
    const [ruleset] = [...gh.state.settings.rulesets.values()];
    expect(ruleset).toMatchObject({
      name: 'idlc: default branch',
      target: 'branch',
      enforcement: 'active',
      bypassActors: [],
      conditions: { ref_name: { include: ['refs/heads/main'], exclude: [] } },
      rules: [
        { type: 'deletion' },
        { type: 'non_fast_forward' },
        {
          type: 'pull_request',
          parameters: {
            required_approving_review_count: 1,
            dismiss_stale_reviews_on_push: true,
            require_code_owner_review: true,
            require_last_push_approval: true,
            required_review_thread_resolution: false,
          },
        },
        {
          type: 'required_status_checks',
          parameters: {
            strict_required_status_checks_policy: false,
            required_status_checks: [{ context: 'idlc/plan', integration_id: 15368 }],
          },
        },
      ],
    });

    const again = await inspectRepository(admin, want);
    expect(again.filter((c) => c.error || c.differences.length)).toEqual([]);
  });

  it('names a setting changed behind its back, and fixes only that', async () => {
    const { gh } = await repository();
    const admin = client(gh, gh.issueToken({ kind: 'user', login: 'root', role: 'admin' }));
    await setupRepository(admin, want, { dryRun: false });

    // someone weakens three settings in the UI
    const s = gh.state.settings;
    const prod = s.environments.get('search-prod');
    if (prod) prod.preventSelfReview = false;
    s.environments
      .get('search-dev')
      ?.branchPolicies.push({ id: 1, nodeId: 'GBP_1', name: 'release/*', type: 'branch' });
    const [ruleset] = [...s.rulesets.values()];
    ruleset?.bypassActors.push({ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' });
    s.oidcSubject = { use_default: true };

    const checks = await inspectRepository(admin, want);
    expect(checks.filter((c) => c.differences.length).map((c) => [c.setting, c.differences])).toEqual([
      ['environment search-dev', ['deployment branches: branch:main, branch:release/* (want main only)']],
      ['environment search-prod', ['prevent self-review: false (want true)']],
      [
        'OIDC subject template',
        ['subject claim keys: the default subject (want repo, context, job_workflow_ref)'],
      ],
      ['ruleset "idlc: default branch"', ['bypass list: 1 actor(s) (want none)']],
    ]);

    gh.requests.length = 0;
    await setupRepository(admin, want, { dryRun: false });
    expect(writes(gh)).toEqual([
      'PUT /repos/acme/platform/environments/search-dev',
      'DELETE /repos/acme/platform/environments/search-dev/deployment-branch-policies/1',
      'PUT /repos/acme/platform/environments/search-prod',
      'PUT /repos/acme/platform/actions/oidc/customization/sub',
      `PUT /repos/acme/platform/rulesets/${ruleset?.id}`,
    ]);
    expect((await inspectRepository(admin, want)).filter((c) => c.differences.length)).toEqual([]);
  });

  it('says which setting, status and permission when the token is not an admin’s, and writes nothing', async () => {
    const { gh } = await repository();
    const writer = client(gh, gh.issueToken({ kind: 'user', login: 'bob', role: 'write' }));
    const err = (await setupRepository(writer, want, { dryRun: false }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      'Actions workflow permissions: GET /repos/acme/platform/actions/permissions/workflow answered 403 (Must have admin rights to Repository.)',
    );
    expect(err.message).toContain('fix: use a token with administration: read');
    expect(writes(gh)).toEqual([]);

    // a fine-grained token that may read the administration settings but not write them
    const reader = client(
      gh,
      gh.issueToken({
        kind: 'user',
        login: 'root',
        role: 'admin',
        permissions: { administration: 'read', actions: 'read', members: 'read' },
      }),
    );
    const denied = (await setupRepository(reader, want, { dryRun: false }).catch((e: unknown) => e)) as Error;
    expect(denied.message).toBe(
      'environment platform-dev: PUT /repos/acme/platform/environments/platform-dev answered 403 (Resource not accessible by personal access token)\n' +
        '  fix: use a token with administration: write on the repository (a repository admin’s token: classic with the repo scope, or fine-grained with Administration read and write)',
    );
  });

  it('refuses when the registry names a team the organization does not have, before writing anything', async () => {
    const gh = await startGitHubDouble({ owner: 'acme', repo: 'platform', strictTokens: true });
    doubles.push(gh);
    gh.state.addTeam({ slug: 'platform' });
    gh.state.addTeam({ slug: 'sre' });
    const admin = client(gh, gh.issueToken({ kind: 'user', login: 'root', role: 'admin' }));
    const err = (await setupRepository(admin, want, { dryRun: false }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('team @acme/search: not found (idlc.yaml teams.search.owners)');
    expect(writes(gh)).toEqual([]);
  });
});
