import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolPath } from '../../src/toolchain/tools.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, '.github', 'workflows');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
  uses?: string;
  environment?: unknown;
  strategy?: { matrix?: unknown };
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const load = (f: string) => parse(readFileSync(join(dir, f), 'utf8')) as Workflow;
const registryYaml = parse(readFileSync(join(root, 'idlc.yaml'), 'utf8')) as {
  github: { repository: string; default_branch?: string };
};
const registry = {
  repository: registryYaml.github.repository,
  defaultBranch: registryYaml.github.default_branch ?? 'main',
};
const writes = (job: Job) =>
  job.permissions === 'write-all' ||
  (typeof job.permissions === 'object' &&
    Object.entries(job.permissions).some(([k, v]) => k !== 'id-token' && v === 'write'));
const events = (w: Workflow) =>
  typeof w.on === 'string' ? [w.on] : Array.isArray(w.on) ? w.on : Object.keys(w.on);

describe('the workflow files (security rules every workflow must keep)', () => {
  it('there are workflows for PR plans (caller + default-branch pipeline + report), merge applies, drift and CI', () => {
    expect(files.sort()).toEqual(
      expect.arrayContaining([
        'ci.yml',
        'idlc-apply.yml',
        'idlc-drift.yml',
        'idlc-plan-run.yml',
        'idlc-plan.yml',
        'idlc-report.yml',
      ]),
    );
  });

  it('actionlint accepts them', () => {
    const env = { ...process.env, PATH: toolPath() };
    expect(() =>
      execFileSync('actionlint', ['-no-color'], { cwd: root, env, encoding: 'utf8' }),
    ).not.toThrow();
  });

  for (const f of files) {
    describe(f, () => {
      const w = load(f);

      it('never runs untrusted code with pull_request_target', () => {
        expect(events(w)).not.toContain('pull_request_target');
      });

      it('grants nothing at the top level and least privilege per job', () => {
        expect(
          w.permissions === undefined ||
            JSON.stringify(w.permissions) === '{}' ||
            (typeof w.permissions === 'object' &&
              Object.entries(w.permissions).every(([k, v]) => k === 'contents' && v === 'read')),
        ).toBe(true);
        for (const [name, job] of Object.entries(w.jobs)) {
          expect(job.permissions, `${f}: job ${name} must declare permissions`).toBeDefined();
          expect(job.permissions, `${f}: job ${name}`).not.toBe('write-all');
        }
      });

      it('pins every third-party action to a full commit sha', () => {
        for (const [name, job] of Object.entries(w.jobs)) {
          for (const step of job.steps ?? []) {
            if (!step.uses || step.uses.startsWith('./')) continue;
            expect(step.uses, `${f}: job ${name}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
          }
        }
      });

      it('asks for an OIDC token only in jobs that run the engine (or call the default branch pipeline that does)', () => {
        for (const [name, job] of Object.entries(w.jobs)) {
          const perms = typeof job.permissions === 'object' ? job.permissions : {};
          if (perms['id-token'] !== 'write') continue;
          if (job.uses) {
            expect(job.uses, `${f}: job ${name}`).toBe(
              `${registry.repository}/.github/workflows/idlc-plan-run.yml@${registry.defaultBranch}`,
            );
            continue;
          }
          const uses = (job.steps ?? []).map((s) => s.uses ?? '');
          expect(
            uses.some((u) => /^\.\/(trusted\/)?actions\/(plan|apply|manifests)$/.test(u)),
            `${f}: job ${name}`,
          ).toBe(true);
        }
      });

      it('never lets checkout keep credentials on disk', () => {
        for (const job of Object.values(w.jobs)) {
          for (const step of job.steps ?? []) {
            if (step.uses?.startsWith('actions/checkout@'))
              expect(step.with?.['persist-credentials']).toBe(false);
          }
        }
      });
    });
  }

  describe('the trust boundary: only default-branch code holds credentials or writes', () => {
    const prWorkflows = files.filter((f) =>
      events(load(f)).some((e) => e === 'pull_request' || e === 'merge_group'),
    );

    it('a workflow a PR runs (its own copy) holds no write permission and no ID token in its own steps', () => {
      expect(prWorkflows.sort()).toEqual(['ci.yml', 'idlc-plan.yml']);
      for (const f of prWorkflows) {
        for (const [name, job] of Object.entries(load(f).jobs)) {
          if (job.uses) continue; // checked below: only the default branch's pipeline
          expect(writes(job), `${f}: job ${name} writes`).toBe(false);
          const perms = typeof job.permissions === 'object' ? job.permissions : {};
          expect(perms['id-token'], `${f}: job ${name}`).toBeUndefined();
        }
      }
    });

    it('the PR plan caller only calls the pipeline pinned to the default branch of this repository', () => {
      const w = load('idlc-plan.yml');
      expect(Object.keys(w.jobs)).toHaveLength(1);
      for (const job of Object.values(w.jobs)) {
        expect(job.uses).toBe(
          `${registry.repository}/.github/workflows/idlc-plan-run.yml@${registry.defaultBranch}`,
        );
        expect(writes(job)).toBe(false);
      }
    });

    it('the pipeline runs only the default branch’s toolkit: trusted/ checked out at the default branch, no PR code', () => {
      const w = load('idlc-plan-run.yml');
      expect(events(w)).toEqual(['workflow_call']);
      for (const [name, job] of Object.entries(w.jobs)) {
        expect(writes(job), `idlc-plan-run.yml: job ${name} writes`).toBe(false);
        const steps = job.steps ?? [];
        const trustedCheckout = steps.findIndex(
          (s) =>
            s.uses?.startsWith('actions/checkout@') &&
            s.with?.['path'] === 'trusted' &&
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
            s.with?.['ref'] === '${{ github.event.repository.default_branch }}',
        );
        expect(
          trustedCheckout,
          `idlc-plan-run.yml: job ${name} checks out the default branch into trusted/`,
        ).toBeGreaterThanOrEqual(0);
        for (const [i, step] of steps.entries()) {
          if (step.run !== undefined) {
            // a fixed command from the trusted tree, after it is checked out; nothing interpolated
            expect(step.run, `idlc-plan-run.yml: job ${name}`).toMatch(
              /^bash trusted\/scripts\/[a-z-]+( [a-z0-9,-]+)?$/,
            );
            expect(i, `idlc-plan-run.yml: job ${name}: run step before the trusted checkout`).toBeGreaterThan(
              trustedCheckout,
            );
          }
          if (step.uses?.startsWith('./')) {
            expect(step.uses, `idlc-plan-run.yml: job ${name}`).toMatch(/^\.\/trusted\/actions\/[a-z-]+$/);
            expect(
              i,
              `idlc-plan-run.yml: job ${name}: ${step.uses} before the trusted checkout`,
            ).toBeGreaterThan(trustedCheckout);
          }
        }
      }
    });

    it('write permissions and ID tokens only in workflows that run from the default branch', () => {
      // workflow_call only for the plan pipeline: a PR's workflow could call any other file at
      // refs/heads/main and carry that file's job_workflow_ref (the apply roles trust it).
      const fromDefaultBranch = ['push', 'workflow_run', 'schedule', 'workflow_dispatch'];
      for (const f of files) {
        const w = load(f);
        const privileged = Object.entries(w.jobs).filter(([, j]) => {
          const perms = typeof j.permissions === 'object' ? j.permissions : {};
          return !j.uses && (writes(j) || perms['id-token'] === 'write');
        });
        if (f !== 'idlc-plan-run.yml') {
          expect(events(w), `${f} can be called by other workflows`).not.toContain('workflow_call');
        }
        if (privileged.length === 0) continue;
        const allowed = f === 'idlc-plan-run.yml' ? ['workflow_call'] : fromDefaultBranch;
        expect(
          events(w).every((e) => allowed.includes(e)),
          `${f} runs privileged jobs on ${events(w)}`,
        ).toBe(true);
        const on = w.on as Record<string, { branches?: string[] }>;
        if (on['push']) expect(on['push'].branches, f).toEqual([registry.defaultBranch]);
      }
    });

    it('the report reads the plan run’s artifacts itself and never checks out PR code', () => {
      const w = load('idlc-report.yml');
      expect(events(w)).toEqual(['workflow_run']);
      for (const job of Object.values(w.jobs)) {
        for (const step of job.steps ?? []) {
          expect(JSON.stringify(step.with ?? {})).not.toMatch(/workflow_run\.head|pull_request/);
          expect(step.uses ?? '').not.toMatch(/download-artifact/);
        }
      }
    });
  });

  it('every job that runs the engine requires the engine sandbox and sets it up first', () => {
    for (const f of files) {
      for (const [name, job] of Object.entries(load(f).jobs)) {
        const steps = job.steps ?? [];
        const engine = steps.findIndex((s) =>
          /^\.\/(trusted\/)?actions\/(plan|apply|manifests)$/.test(s.uses ?? ''),
        );
        if (engine < 0) continue;
        expect(
          (job as { env?: Record<string, string> }).env?.['IDLC_ENGINE_SANDBOX'],
          `${f}: job ${name}`,
        ).toBe('required');
        const setup = steps.findIndex((s) => /scripts\/setup-engine-sandbox$/.test(s.run ?? ''));
        expect(setup, `${f}: job ${name} sets up the sandbox before the engine`).toBeGreaterThanOrEqual(0);
        expect(setup).toBeLessThan(engine);
      }
    }
  });

  it('every job that runs the engine puts the pinned tools on PATH with the script of the toolkit it runs', () => {
    let jobs = 0;
    for (const f of files) {
      for (const [name, job] of Object.entries(load(f).jobs)) {
        const steps = job.steps ?? [];
        const engine = steps.findIndex((s) =>
          /^\.\/(trusted\/)?actions\/(plan|apply|manifests)$/.test(s.uses ?? ''),
        );
        if (engine < 0) continue;
        jobs++;
        // the PR pipeline's engine comes from trusted/, so its tools must too: a PR must not
        // pick the tofu or opa that judges it
        const root = /^\.\/trusted\//.test(steps[engine]?.uses ?? '') ? 'trusted/' : '';
        const tools = steps.findIndex((s) =>
          new RegExp(`^bash ${root}scripts/setup-engine-tools( [a-z0-9,-]+)?$`).test(s.run ?? ''),
        );
        expect(tools, `${f}: job ${name} installs the pinned tools before the engine`).toBeGreaterThanOrEqual(
          0,
        );
        expect(tools).toBeLessThan(engine);
        const listed = /setup-engine-tools (\S+)/.exec(steps[tools]?.run ?? '')?.[1]?.split(',') ?? [
          'tofu',
          'opa',
        ];
        const needs = /manifests$/.test(steps[engine]?.uses ?? '')
          ? ['opa', 'kustomize', 'helm', 'kubeconform', 'kubernetes-validate']
          : ['tofu', 'opa'];
        expect(listed, `${f}: job ${name}`).toEqual(expect.arrayContaining(needs));
      }
    }
    expect(jobs).toBeGreaterThanOrEqual(7);
  });

  it('applies run behind the <team>-<env> GitHub environment, one wave after another', () => {
    const w = load('idlc-apply.yml');
    const applyJobs = Object.entries(w.jobs).filter(([, j]) =>
      (j.steps ?? []).some((s) => s.uses === './actions/apply'),
    );
    expect(applyJobs.length).toBeGreaterThanOrEqual(2);
    for (const [, job] of applyJobs) expect(JSON.stringify(job.environment)).toContain('github_environment');
  });

  it('promotion: workflow_dispatch only, default-branch code only, contents + pull-requests write and nothing else', () => {
    const w = load('idlc-promote.yml');
    expect(events(w)).toEqual(['workflow_dispatch']);
    expect(w.permissions).toEqual({});
    for (const [name, job] of Object.entries(w.jobs)) {
      expect((job as Job & { if?: string }).if, `idlc-promote.yml: job ${name}`).toBe(
        "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
      );
      expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
      expect((job.steps ?? []).map((s) => s.uses)).toContain('./actions/promote');
    }
  });
});
