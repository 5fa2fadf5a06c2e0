import { describe, expect, it } from 'vitest';
import {
  applySubject,
  driftSubject,
  jobWorkflowRef,
  OIDC_SUB_CLAIM_KEYS,
  planSubject,
} from './oidc-subjects.ts';

// The strings of design.md ("OIDC subject"), written out: the IAM and GCP modules render the
// same ones (test/e2e/trust-boundary.test.ts compares them with the github-oidc module).
const id = { repository: 'acme/platform', defaultBranch: 'main' };

describe('OIDC subjects of the default branch workflows', () => {
  it('uses the repo, context, job_workflow_ref customization', () => {
    expect(OIDC_SUB_CLAIM_KEYS).toEqual(['repo', 'context', 'job_workflow_ref']);
  });

  it('renders the plan, plan-review, drift and apply subjects of design.md', () => {
    expect(planSubject(id, 'search', 'dev', false)).toBe(
      'repo:acme/platform:pull_request:job_workflow_ref:acme/platform/.github/workflows/idlc-plan-run.yml@refs/heads/main',
    );
    expect(planSubject(id, 'search', 'prod', true)).toBe(
      'repo:acme/platform:environment:search-prod-plan:job_workflow_ref:acme/platform/.github/workflows/idlc-plan-run.yml@refs/heads/main',
    );
    expect(driftSubject(id)).toBe(
      'repo:acme/platform:ref:refs/heads/main:job_workflow_ref:acme/platform/.github/workflows/idlc-drift.yml@refs/heads/main',
    );
    expect(applySubject(id, 'search', 'dev')).toBe(
      'repo:acme/platform:environment:search-dev:job_workflow_ref:acme/platform/.github/workflows/idlc-apply.yml@refs/heads/main',
    );
  });

  it('escapes a colon inside a value as %3A, never the key separator (GitHub docs: environment:Production%3AV1)', () => {
    expect(applySubject(id, 'search', 'eu:1')).toBe(
      'repo:acme/platform:environment:search-eu%3A1:job_workflow_ref:acme/platform/.github/workflows/idlc-apply.yml@refs/heads/main',
    );
  });

  it('follows the default branch', () => {
    const trunk = { repository: 'acme/platform', defaultBranch: 'trunk' };
    expect(jobWorkflowRef(trunk, '.github/workflows/idlc-apply.yml')).toBe(
      'acme/platform/.github/workflows/idlc-apply.yml@refs/heads/trunk',
    );
    expect(driftSubject(trunk)).toBe(
      'repo:acme/platform:ref:refs/heads/trunk:job_workflow_ref:acme/platform/.github/workflows/idlc-drift.yml@refs/heads/trunk',
    );
  });
});
