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
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
  environment?: unknown;
  strategy?: { matrix?: unknown };
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const load = (f: string) => parse(readFileSync(join(dir, f), 'utf8')) as Workflow;
const events = (w: Workflow) =>
  typeof w.on === 'string' ? [w.on] : Array.isArray(w.on) ? w.on : Object.keys(w.on);

describe('the workflow files (security rules every workflow must keep)', () => {
  it('there are workflows for PR plans, merge applies, drift and CI', () => {
    expect(files.sort()).toEqual(
      expect.arrayContaining(['ci.yml', 'idlc-apply.yml', 'idlc-drift.yml', 'idlc-plan.yml']),
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

      it('asks for an OIDC token only in jobs that run the engine', () => {
        for (const [name, job] of Object.entries(w.jobs)) {
          const perms = typeof job.permissions === 'object' ? job.permissions : {};
          if (perms['id-token'] !== 'write') continue;
          const uses = (job.steps ?? []).map((s) => s.uses ?? '');
          expect(
            uses.some((u) => u === './actions/plan' || u === './actions/apply'),
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
