/**
 * The permission GitHub requires for each operation, by operationId, for the tokens the double
 * issued. Source: GitHub's "Permissions required for GitHub Apps" / "…for fine-grained personal
 * access tokens" reference, whose data is published in github/docs as
 * src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json (a permission → its
 * operations; `additional-permissions: true` marks operations that accept either of several
 * permissions, written `a:read|b:read` here). GitHub Actions' GITHUB_TOKEN is an installation
 * token of the GitHub Actions app, so the same table applies to it.
 *
 * Rows exist for every operation the double implements (a test checks) and for the pull
 * request and ref operations a handler file may add next.
 */
import { allows, type Identity } from './identities.ts';
import { DOCS, forbidden, type Reply } from './rest-kit.ts';

/** `name:level` alternatives separated by `|`; `app-jwt` = authenticated as the App itself. */
export const REST_PERMISSIONS: Record<string, string> = {
  // metadata
  'repos/get': 'metadata:read',
  'repos/get-repo-rulesets': 'metadata:read',
  'repos/get-repo-ruleset': 'metadata:read',
  'repos/get-branch-rules': 'metadata:read',
  'repos/list-collaborators': 'metadata:read',
  'repos/get-collaborator-permission-level': 'metadata:read',
  // issues and their comments (a pull request's conversation is its issue)
  'issues/create': 'issues:write',
  'issues/get': 'issues:read',
  'issues/list-for-repo': 'issues:read',
  'issues/update': 'issues:write|pull_requests:write',
  'issues/list-comments': 'issues:read|pull_requests:read',
  'issues/get-comment': 'issues:read|pull_requests:read',
  'issues/create-comment': 'issues:write|pull_requests:write',
  'issues/update-comment': 'issues:write|pull_requests:write',
  'issues/delete-comment': 'issues:write|pull_requests:write',
  'issues/list-events': 'issues:read|pull_requests:read',
  'issues/list-events-for-timeline': 'issues:read|pull_requests:read',
  'issues/list-labels-on-issue': 'issues:read|pull_requests:read',
  'issues/add-labels': 'issues:write|pull_requests:write',
  'issues/set-labels': 'issues:write|pull_requests:write',
  'issues/remove-label': 'issues:write|pull_requests:write',
  // pull requests
  'pulls/get': 'pull_requests:read|contents:read',
  'pulls/list': 'pull_requests:read',
  'pulls/create': 'pull_requests:write',
  'pulls/update': 'pull_requests:write',
  'pulls/merge': 'contents:write',
  'pulls/check-if-merged': 'pull_requests:read',
  'pulls/list-commits': 'pull_requests:read',
  'pulls/list-files': 'pull_requests:read',
  'pulls/list-reviews': 'pull_requests:read',
  'pulls/get-review': 'pull_requests:read',
  'pulls/create-review': 'pull_requests:write',
  'pulls/submit-review': 'pull_requests:write',
  'pulls/dismiss-review': 'pull_requests:write',
  'pulls/request-reviewers': 'pull_requests:write',
  'pulls/list-requested-reviewers': 'pull_requests:read',
  'repos/list-pull-requests-associated-with-commit': 'pull_requests:read',
  // checks and statuses (checks: GitHub Apps only, see APPS_ONLY)
  'checks/create': 'checks:write',
  'checks/update': 'checks:write',
  'checks/get': 'checks:read',
  'checks/list-for-ref': 'checks:read',
  'repos/create-commit-status': 'statuses:write',
  'repos/list-commit-statuses-for-ref': 'statuses:read',
  'repos/get-combined-status-for-ref': 'statuses:read',
  // contents: git data, commits, files, branches
  'git/get-ref': 'contents:read',
  'git/list-matching-refs': 'contents:read',
  'git/create-ref': 'contents:write',
  'git/update-ref': 'contents:write',
  'git/delete-ref': 'contents:write',
  'git/get-commit': 'contents:read',
  'git/get-tree': 'contents:read',
  'repos/get-commit': 'contents:read',
  'repos/list-commits': 'contents:read',
  'repos/compare-commits': 'contents:read',
  'repos/compare-commits-with-basehead': 'contents:read',
  'repos/get-content': 'contents:read',
  'repos/create-or-update-file-contents': 'contents:write',
  'repos/get-branch': 'contents:read',
  'repos/list-branches': 'contents:read',
  'repos/merge': 'contents:write',
  // actions: runs, jobs, artifacts, and the repository's OIDC subject template
  'actions/list-repo-workflows': 'actions:read',
  'actions/get-workflow': 'actions:read',
  'actions/list-workflow-runs': 'actions:read',
  'actions/list-workflow-runs-for-repo': 'actions:read',
  'actions/get-workflow-run': 'actions:read',
  'actions/get-workflow-run-attempt': 'actions:read',
  'actions/list-jobs-for-workflow-run': 'actions:read',
  'actions/list-jobs-for-workflow-run-attempt': 'actions:read',
  'actions/get-job-for-workflow-run': 'actions:read',
  'actions/list-artifacts-for-repo': 'actions:read',
  'actions/list-workflow-run-artifacts': 'actions:read',
  'actions/get-artifact': 'actions:read',
  'actions/download-artifact': 'actions:read',
  'actions/delete-artifact': 'actions:write',
  'actions/get-custom-oidc-sub-claim-for-repo': 'actions:read',
  // GitHub lists this under "Actions" write, not "Administration": a workflow token with
  // `actions: write` can change the template (docs/setup-github.md states the consequence)
  'actions/set-custom-oidc-sub-claim-for-repo': 'actions:write',
  // environments: reads under "Actions", writes under "Administration"
  'repos/get-all-environments': 'actions:read',
  'repos/get-environment': 'actions:read',
  'repos/list-deployment-branch-policies': 'actions:read',
  'repos/get-deployment-branch-policy': 'actions:read',
  'repos/create-or-update-environment': 'administration:write',
  'repos/delete-an-environment': 'administration:write',
  'repos/create-deployment-branch-policy': 'administration:write',
  'repos/update-deployment-branch-policy': 'administration:write',
  'repos/delete-deployment-branch-policy': 'administration:write',
  // administration
  'repos/create-repo-ruleset': 'administration:write',
  'repos/update-repo-ruleset': 'administration:write',
  'repos/delete-repo-ruleset': 'administration:write',
  'actions/get-github-actions-default-workflow-permissions-repository': 'administration:read',
  'actions/set-github-actions-default-workflow-permissions-repository': 'administration:write',
  // organization members (a workflow token can never hold it)
  'teams/get-by-name': 'members:read',
  'teams/get-membership-for-user-in-org': 'members:read',
  'teams/list-members-in-org': 'members:read',
  // the App itself
  'apps/create-installation-access-token': 'app-jwt',
  'apps/get-repo-installation': 'app-jwt',
};

/** Operations only GitHub Apps (including GITHUB_TOKEN) may call: "OAuth apps and personal access tokens cannot use this endpoint". */
const APPS_ONLY = new Set(['checks/create', 'checks/update']);

/** GraphQL mutations the double runs, with the permission each needs. */
export const GRAPHQL_MUTATION_PERMISSIONS: Record<string, string> = {
  addComment: 'issues:write|pull_requests:write',
  updateIssueComment: 'issues:write|pull_requests:write',
  minimizeComment: 'pull_requests:write|issues:write',
  unminimizeComment: 'pull_requests:write|issues:write',
  createCommitOnBranch: 'contents:write',
};

function alternatives(need: string): [string, 'read' | 'write'][] {
  return need.split('|').map((a) => {
    const [name, level] = a.split(':') as [string, 'read' | 'write'];
    return [name, level];
  });
}

/** The message GitHub answers a token that lacks the permission. */
export function denialMessage(identity: Identity, need: string): string {
  if (identity.kind === 'user') {
    if (!identity.fineGrained && need.startsWith('administration:'))
      return 'Must have admin rights to Repository.';
    return 'Resource not accessible by personal access token';
  }
  return 'Resource not accessible by integration';
}

export function permits(identity: Identity, need: string): boolean {
  return alternatives(need).some(([name, level]) => allows(identity, name, level));
}

/**
 * Undefined when the identity may call the operation; else GitHub's refusal. Operations without
 * a row are refused with a message that says to add one.
 */
export function authorizeRest(identity: Identity, operationId: string): Reply | undefined {
  if (!identity.enforced) return undefined;
  const need = REST_PERMISSIONS[operationId];
  if (need === undefined) {
    return forbidden(
      `github double: no permission row for ${operationId} in test/support/github-double/permissions.ts`,
    );
  }
  if (need === 'app-jwt') {
    return {
      status: 401,
      body: {
        message: 'A JSON web token could not be decoded',
        documentation_url: DOCS,
        status: '401',
      },
    };
  }
  if (APPS_ONLY.has(operationId) && identity.kind === 'user') {
    return forbidden('You must authenticate via a GitHub App.');
  }
  return permits(identity, need) ? undefined : forbidden(denialMessage(identity, need));
}
