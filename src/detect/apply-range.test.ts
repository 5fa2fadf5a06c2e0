import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDetect } from '../../actions/detect/src/run.ts';
import { TempRepo } from '../../test/support/git-repo.ts';
import { startGitHubDouble } from '../../test/support/github-double/index.ts';
import { REGISTRY_YAML, stackFiles } from '../../test/support/registry-fixture.ts';
import { createGitHubClient } from '../github/client.ts';
import { MAX_APPLY_COMMITS } from './apply-range.ts';

const E = 'idlc/aws/environments';
const repo = { owner: 'acme', repo: 'platform' };
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function setup() {
  const git = new TempRepo();
  cleanup.push(() => git.cleanup());
  git.write({
    'idlc.yaml': `${REGISTRY_YAML}\ngithub:\n  repository: acme/platform\n`,
    ...stackFiles(`${E}/platform/dev/network`),
    ...stackFiles(`${E}/search/dev`),
    ...stackFiles(`${E}/search/staging`),
    ...stackFiles(`${E}/assistant/dev`),
  });
  const applied = git.commit('base, applied');
  const gh = await startGitHubDouble({ ...repo, strictTokens: true });
  cleanup.push(() => gh.close());
  const me = gh.state.addWorkflowRun({ path: '.github/workflows/idlc-apply.yml', event: 'push' });
  const token = gh.issueToken({
    kind: 'workflow',
    runId: me.id,
    job: 'detect',
    permissions: { contents: 'read', actions: 'read' },
  });
  const client = createGitHubClient({
    token,
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    retryBaseMs: 5,
    throttle: false,
  }).rest;
  return { git, gh, applied, client };
}

/** A push of `after` with `before` as GitHub sends it. */
function pushEvent(dir: string, before: string, after: string): string {
  const path = join(dir, '..', `push-${after.slice(0, 8)}.json`);
  writeFileSync(
    path,
    JSON.stringify({ before, after, ref: 'refs/heads/main', repository: { default_branch: 'main' } }),
  );
  return path;
}

const touch = (git: TempRepo, dir: string, n: string) =>
  git.write({ [`${dir}/main.tf`]: `${stackFiles(dir)[`${dir}/main.tf`]}# ${n}\n` });

describe('apply runs cover every merge since the last successful apply run', () => {
  it('three quick merges, only the last push runs: each stack lists the merges that touched it, in order', async () => {
    const { git, gh, applied, client } = await setup();
    // the last successful run of the apply workflow was at `applied`
    gh.state.addWorkflowRun({
      path: '.github/workflows/idlc-apply.yml',
      event: 'push',
      headSha: applied,
      conclusion: 'success',
    });
    touch(git, `${E}/search/dev`, 'one');
    const m1 = git.commit('merge #1');
    touch(git, `${E}/assistant/dev`, 'two');
    const m2 = git.commit('merge #2');
    touch(git, `${E}/search/dev`, 'three');
    const m3 = git.commit('merge #3');
    // run 2 was cancelled by concurrency; run 3 sees only its own push (m2..m3)
    const out = await runDetect({
      root: git.dir,
      maxJobs: 256,
      driftSlices: 1,
      stacks: [],
      eventName: 'push',
      eventPath: pushEvent(git.dir, m2, m3),
      applyRange: true,
      github: { gh: client, repo },
    });
    const waves = JSON.parse(out.outputs.waves) as {
      include: { id: string; merges?: { sha: string }[] }[];
    }[];
    const entries = waves.flatMap((w) => w.include);
    expect(entries.map((e) => [e.id, e.merges?.map((m) => m.sha)])).toEqual([
      ['aws/assistant/dev', [m2]],
      ['aws/search/dev', [m1, m3]],
    ]);
    expect(out.detection.range.description).toBe(`merges ${applied.slice(0, 7)}..${m3.slice(0, 7)} (3)`);
  });

  it("falls back to the push's own range when no successful apply run is an ancestor", async () => {
    const { git, client } = await setup();
    touch(git, `${E}/search/dev`, 'one');
    const m1 = git.commit('merge #1');
    touch(git, `${E}/search/staging`, 'two');
    const m2 = git.commit('merge #2');
    const out = await runDetect({
      root: git.dir,
      maxJobs: 256,
      driftSlices: 1,
      stacks: [],
      eventName: 'push',
      eventPath: pushEvent(git.dir, m1, m2),
      applyRange: true,
      github: { gh: client, repo },
    });
    const ids = (JSON.parse(out.outputs.waves) as { include: { id: string }[] }[]).flatMap((w) =>
      w.include.map((e) => e.id),
    );
    expect(ids).toEqual(['aws/search/staging']);
  });

  it('refuses without the Actions API (no permission) instead of guessing a range', async () => {
    const { git, gh, client } = await setup();
    touch(git, `${E}/search/dev`, 'one');
    const m1 = git.commit('merge #1');
    gh.injectFault({ route: 'actions/list-workflow-runs', status: 404 });
    await expect(
      runDetect({
        root: git.dir,
        maxJobs: 256,
        driftSlices: 1,
        stacks: [],
        eventName: 'push',
        eventPath: pushEvent(git.dir, m1, m1),
        applyRange: true,
        github: { gh: client, repo },
      }),
    ).rejects.toThrow(/cannot find the last successful apply run \(HTTP 404\)[\s\S]*actions: read/);
  });

  it(`stops with a clear message when more than ${MAX_APPLY_COMMITS} merges were never applied`, async () => {
    const { git, gh, applied, client } = await setup();
    gh.state.addWorkflowRun({
      path: '.github/workflows/idlc-apply.yml',
      event: 'push',
      headSha: applied,
      conclusion: 'success',
    });
    for (let i = 0; i <= MAX_APPLY_COMMITS; i++) git.git('commit', '-q', '--allow-empty', '-m', `empty ${i}`);
    const head = git.head();
    await expect(
      runDetect({
        root: git.dir,
        maxJobs: 256,
        driftSlices: 1,
        stacks: [],
        eventName: 'push',
        eventPath: pushEvent(git.dir, applied, head),
        applyRange: true,
        github: { gh: client, repo },
      }),
    ).rejects.toThrow(/101 merges since [0-9a-f]{12} were never applied \(more than 100\)/);
  });
});
