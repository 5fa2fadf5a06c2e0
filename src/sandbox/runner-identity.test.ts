import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EnvironmentPolicy, RunnerIdentity, type SandboxRun } from './runner-identity.ts';
import { actionMetadataProblems } from './seed.ts';
import {
  capPermissions,
  evaluateEnvironment,
  normalizePermissions,
  parseUses,
  parseWorkflow,
} from './workflow-model.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const workflow = (file: string, text?: string) =>
  parseWorkflow(
    `.github/workflows/${file}`,
    text ?? readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8'),
  );

const CALL = 'acme/platform/.github/workflows/idlc-plan-run.yml@main';

function planRun(over: Partial<SandboxRun> = {}): SandboxRun {
  return {
    id: 5001,
    attempt: 1,
    event: 'pull_request',
    ref: 'refs/pull/7/merge',
    sha: 'a'.repeat(40),
    repository: 'acme/platform',
    defaultBranch: 'main',
    actor: 'mona',
    fork: false,
    headRef: 'feature',
    baseRef: 'main',
    workflow: workflow('idlc-plan.yml'),
    called: new Map([[CALL, workflow('idlc-plan-run.yml')]]),
    ...over,
  };
}

function identity(envs: Record<string, EnvironmentPolicy> = {}, said: string[] = []) {
  return new RunnerIdentity({
    defaultPermissions: () => 'read',
    environment: (name) => envs[name],
    say: (l) => said.push(l),
  });
}

const step = (job: string, extra: Record<string, string> = {}) => ({
  GITHUB_RUN_ID: '5001',
  GITHUB_REPOSITORY: 'acme/platform',
  GITHUB_WORKFLOW: 'idlc plan run',
  GITHUB_JOB: job,
  GITHUB_WORKSPACE: `/w/${job}/${extra['INPUT_STACK'] ?? ''}`,
  ...extra,
});

describe('workflow model', () => {
  it('reads names, triggers, permissions and calls as GitHub does', () => {
    const caller = workflow('idlc-plan.yml');
    expect(caller.name).toBe('idlc plan');
    expect(caller.triggers).toEqual(['pull_request']);
    expect(caller.jobs.get('idlc')?.uses).toBe(CALL);
    expect(parseUses(CALL)).toEqual({
      repository: 'acme/platform',
      path: '.github/workflows/idlc-plan-run.yml',
      ref: 'main',
    });
    expect(workflow('x.yml', 'on: push\njobs: {a: {runs-on: x, steps: [{run: ls}]}}').name).toBe('x.yml');
  });

  it('caps a called job at the caller and reads read-all and write-all', () => {
    const all = normalizePermissions('write-all', 'w') ?? {};
    const limit = normalizePermissions({ contents: 'read' }, 'w') ?? {};
    expect(capPermissions(all, limit)['contents']).toBe('read');
    expect(capPermissions(all, limit)['id-token']).toBe('none');
    expect(normalizePermissions('read-all', 'w')?.['id-token']).toBe('none');
    expect(() => normalizePermissions({ administration: 'write' }, 'w')).toThrow(/unknown scope/);
  });

  it('evaluates a literal or matrix environment and nothing else', () => {
    expect(evaluateEnvironment('search-prod', undefined)).toEqual({ name: 'search-prod' });
    expect(evaluateEnvironment(`\${{ matrix.e }}`, { e: 'x-dev' })).toEqual({ name: 'x-dev' });
    expect(evaluateEnvironment(`\${{ github.ref == 'x' && 'a' || 'b' }}`, {})).toHaveProperty('unknown');
  });
});

describe('runner identity', () => {
  it('maps a step to the called job at the default branch, with permissions capped by the caller', () => {
    const ids = identity();
    ids.register(planRun());
    const r = ids.resolve(step('plan', { INPUT_STACK: '{"name":"aws/search/dev"}' }));
    if (!('identity' in r)) throw new Error(r.refused);
    expect(r.identity.jobWorkflowRef).toBe(
      'acme/platform/.github/workflows/idlc-plan-run.yml@refs/heads/main',
    );
    expect(r.identity.workflowRef).toBe('acme/platform/.github/workflows/idlc-plan.yml@refs/pull/7/merge');
    expect(r.identity.trusted).toBe(true);
    expect(r.identity.permissions).toMatchObject({ contents: 'read', 'id-token': 'write', checks: 'none' });
    const detect = ids.resolve(step('detect'));
    expect('identity' in detect && detect.identity.permissions['id-token']).toBe('none');
  });

  it('evaluates the environment from the matrix, approves it and says so, or withholds it', () => {
    const said: string[] = [];
    const ids = identity({ 'search-prod-plan': { reviewers: ['@acme/search'] } }, said);
    ids.register(planRun());
    const matrix = { INPUT_STACK: '{"name":"aws/search/prod","plan_environment":"search-prod-plan"}' };
    const before = ids.resolve(step('plan-reviewed'));
    expect('identity' in before && before.identity.environmentPending).toBe(true);
    const r = ids.resolve(step('plan-reviewed', matrix));
    expect('identity' in r && r.identity.environment).toBe('search-prod-plan');
    expect(said[0]).toMatch(/approving environment search-prod-plan .*@acme\/search/);
    ids.withheld.add('search-prod-plan');
    const other = new RunnerIdentity({
      defaultPermissions: () => 'read',
      environment: () => ({ reviewers: ['@acme/search'] }),
      say: () => {},
    });
    other.withheld.add('search-prod-plan');
    other.register(planRun());
    expect(other.resolve(step('plan-reviewed', matrix))).toEqual({
      refused: expect.stringMatching(/withholds/),
    });
  });

  it('refuses a deployment from a branch the environment does not allow', () => {
    const ids = identity({ 'search-dev': { reviewers: [], branches: ['main'] } });
    const evil = workflow(
      'evil.yml',
      'name: evil\non: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    environment: search-dev\n    permissions: {id-token: write}\n    steps: [{run: ls}]\n',
    );
    ids.register(planRun({ workflow: evil, called: new Map() }));
    expect(ids.resolve({ ...step('x'), GITHUB_WORKFLOW: 'evil' })).toEqual({
      refused: expect.stringMatching(/not allowed to deploy to environment search-dev/),
    });
  });

  it('gives a fork PR read-only permissions and no ID token', () => {
    const ids = identity();
    ids.register(planRun({ fork: true }));
    const r = ids.resolve(step('plan', { INPUT_STACK: '{}' }));
    if (!('identity' in r)) throw new Error(r.refused);
    expect(r.identity.permissions['id-token']).toBe('none');
    expect(r.identity.permissions['pull-requests']).toBe('read');
  });

  it('fails closed: unknown run, ambiguous names, a PR caller with steps of its own', () => {
    const ids = identity();
    expect(ids.resolve({ ...step('plan'), GITHUB_RUN_ID: '1' })).toHaveProperty('refused');
    const twin = workflow(
      'idlc-plan.yml',
      `name: idlc plan run\non: pull_request\njobs:\n  plan:\n    runs-on: x\n    steps: [{run: ls}]\n  idlc:\n    uses: ${CALL}\n`,
    );
    ids.register(planRun({ workflow: twin }));
    expect(ids.resolve(step('plan'))).toEqual({ refused: expect.stringMatching(/ambiguous/) });
    const mixed = workflow(
      'idlc-plan.yml',
      `name: idlc plan\non: pull_request\njobs:\n  mine:\n    runs-on: x\n    steps: [{run: ls}]\n  idlc:\n    uses: ${CALL}\n`,
    );
    ids.register(planRun({ id: 5002, workflow: mixed }));
    const r = ids.resolve({ ...step('plan', { INPUT_STACK: '{}' }), GITHUB_RUN_ID: '5002' });
    expect(r).toEqual({ refused: expect.stringMatching(/cannot keep those jobs apart/) });
    const own = ids.resolve({ ...step('mine'), GITHUB_RUN_ID: '5002', GITHUB_WORKFLOW: 'idlc plan' });
    expect('identity' in own && own.identity.jobWorkflowRef).toBe(
      'acme/platform/.github/workflows/idlc-plan.yml@refs/pull/7/merge',
    );
  });
});

describe('action metadata', () => {
  it('names an expression in a description, which runners refuse to load', () => {
    const files = new Map([
      [
        'actions/x/action.yml',
        Buffer.from(
          [
            'name: x',
            'inputs:',
            '  stack:',
            `    description: the matrix as JSON (\`\${{ toJSON(matrix) }}\`)`,
            `    default: \${{ github.token }}`,
            'runs: { using: node24, main: i.js }',
          ].join('\n'),
        ),
      ],
    ]);
    expect(actionMetadataProblems(files)).toEqual([
      expect.stringMatching(/^actions\/x\/action\.yml:4: inputs\.stack\.description contains an expression/),
    ]);
  });
});
