import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../config/load.ts';
import { desiredSettings, rulesetBody, rulesetDifferences } from './repo-settings.ts';

/** Two teams; prod is protected and has plan review. */
const SETTINGS_REGISTRY = readFileSync(new URL('./testdata/settings-registry.yaml', import.meta.url), 'utf8');

describe('desiredSettings', () => {
  it('asks for one environment per team env, a plan-review environment where the env has plan_review, and the repository settings', () => {
    const want = desiredSettings(parseRegistry(SETTINGS_REGISTRY));
    expect(want.environments.map((e) => [e.name, e.reviewerTeams, e.preventSelfReview, e.branches])).toEqual([
      ['platform-dev', [], false, 'default'],
      ['search-dev', [], false, 'default'],
      ['search-prod', ['search'], true, 'default'],
      // PR runs are checked against the PR's head branch: no branch restriction on the plan gate
      ['search-prod-plan', ['search'], true, 'all'],
    ]);
    expect(want.oidc).toEqual({
      use_default: false,
      include_claim_keys: ['repo', 'context', 'job_workflow_ref'],
    });
    expect(want.workflowPermissions).toEqual({
      default_workflow_permissions: 'read',
      can_approve_pull_request_reviews: false,
    });
    // without the idlc App, the required check must come from GitHub Actions
    expect(want.ruleset).toEqual({
      name: 'idlc: default branch',
      ref: 'refs/heads/main',
      requiredCheck: { context: 'idlc/plan', integration_id: 15368 },
    });
  });

  it('pins the required check to the idlc App and adds its key environment when github.app is set', () => {
    const text = SETTINGS_REGISTRY.replace(
      'default_branch: main',
      'default_branch: trunk\n  app: { app_id: 4242, slug: idlc-acme, environment: idlc-publish }',
    );
    const want = desiredSettings(parseRegistry(text));
    expect(want.ruleset.requiredCheck).toEqual({ context: 'idlc/plan', integration_id: 4242 });
    expect(want.ruleset.ref).toBe('refs/heads/trunk');
    expect(want.environments.at(-1)).toMatchObject({
      name: 'idlc-publish',
      reviewerTeams: [],
      branches: 'default',
    });
  });

  it('refuses owner teams of another organization and a registry without github', () => {
    expect(() =>
      desiredSettings(parseRegistry(SETTINGS_REGISTRY.replace('@acme/search', '@other/search'))),
    ).toThrow(/teams\.search\.owners: @other\/search is not a team of acme/);
    expect(() => desiredSettings(parseRegistry(SETTINGS_REGISTRY.replace(/github:\n(.*\n){2}/, '')))).toThrow(
      /github is not set/,
    );
  });
});

describe('the default-branch ruleset', () => {
  const want = desiredSettings(parseRegistry(SETTINGS_REGISTRY)).ruleset;

  it('names every weakening, and keeps what an admin added on top when it rewrites', () => {
    const have = {
      id: 9,
      enforcement: 'evaluate',
      target: 'branch',
      conditions: { ref_name: { include: ['~ALL'], exclude: [] } },
      bypassActors: [{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }],
      rules: [
        { type: 'required_signatures' },
        {
          type: 'pull_request',
          parameters: {
            required_approving_review_count: 2,
            dismiss_stale_reviews_on_push: false,
            require_code_owner_review: true,
            require_last_push_approval: true,
            required_review_thread_resolution: true,
          },
        },
        {
          type: 'required_status_checks',
          parameters: {
            strict_required_status_checks_policy: true,
            required_status_checks: [{ context: 'ci/lint' }, { context: 'idlc/plan' }],
          },
        },
      ],
    };
    expect(rulesetDifferences(want, have)).toEqual([
      'enforcement: evaluate (want active)',
      'branches: ~ALL (want refs/heads/main)',
      'bypass list: 1 actor(s) (want none)',
      'branch deletion allowed (want blocked)',
      'force pushes allowed (want blocked)',
      'stale approvals kept on push (want dismissed)',
      'required check idlc/plan from any source (want app 15368)',
    ]);
    const body = rulesetBody(want, have);
    expect(body.rules).toEqual([
      { type: 'required_signatures' },
      { type: 'deletion' },
      { type: 'non_fast_forward' },
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 2,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: true,
          require_last_push_approval: true,
          required_review_thread_resolution: true,
        },
      },
      {
        type: 'required_status_checks',
        parameters: {
          strict_required_status_checks_policy: true,
          required_status_checks: [{ context: 'ci/lint' }, { context: 'idlc/plan', integration_id: 15368 }],
        },
      },
    ]);
    expect(rulesetDifferences(want, { ...have, ...body, id: 9, bypassActors: [] })).toEqual([]);
  });
});
