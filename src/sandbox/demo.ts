/**
 * The main job, end to end, in the sandbox: a pull request that changes a team stack and a
 * shared module → idlc-plan.yml (plans, policy, attested manifests) → idlc-report.yml (the
 * sticky comment and checks) → owners approve → merge → idlc-apply.yml (state in moto) →
 * idlc-promote.yml for one app. Prints progress and the comment; results in `out`.
 */
import { join } from 'node:path';
import { PEOPLE, Sandbox, type SandboxOptions, type WorkflowRunOutcome } from './sandbox.ts';
import { SANDBOX_SERVICE_MODULE } from './seed.ts';

export const DEMO_CHANGE = {
  title: 'search dev: larger retriever batch; sandbox-service: tag the owner',
  branch: 'search/retriever-batch',
  stack: 'idlc/aws/environments/search/dev/main.tf',
  module: `${SANDBOX_SERVICE_MODULE}/main.tf`,
};

export interface DemoResult {
  pr: number;
  comment?: string;
  runs: WorkflowRunOutcome[];
  ok: boolean;
}

/** The comment up to its per-stack details: the headline and the table. */
const headOf = (body: string) => body.split('\n<details>')[0]?.trim() ?? body;

/** Commits in `range` on the sandbox's bare repository: subject and files, or the whole diff. */
async function showCommits(
  sb: Sandbox,
  say: (l: string) => void,
  range: string,
  title: string,
  patch = false,
) {
  const log = await sb.git.git(sb.git.bare, [
    'log',
    '--reverse',
    '--format=%h %an: %s',
    patch ? '--patch' : '--stat=100',
    range,
  ]);
  say(`\n${title}:`);
  say(log ? log.replace(/^/gm, '  ') : '  (none)');
}

const line = (say: (l: string) => void, title: string) => say(`\n== ${title}`);

export async function runDemo(
  o: SandboxOptions & { promote?: { team: string; app: string } },
): Promise<DemoResult> {
  const say = o.say ?? ((l: string) => process.stdout.write(`${l}\n`));
  const t0 = Date.now();
  line(say, 'sandbox up');
  const sb = await Sandbox.up({ ...o, say });
  const runs: WorkflowRunOutcome[] = [];
  try {
    const main = await sb.git.rev('refs/heads/main');
    const tree = await sb.git.tree(main);
    const stack = tree.get(DEMO_CHANGE.stack)?.toString('utf8') ?? '';
    const module = tree.get(DEMO_CHANGE.module)?.toString('utf8') ?? '';

    line(say, 'a pull request: a team stack and a shared module');
    const pr = await sb.openPullRequest({
      title: DEMO_CHANGE.title,
      branch: DEMO_CHANGE.branch,
      changes: {
        [DEMO_CHANGE.stack]: stack.replace('  settings = {\n', '  settings = {\n    batch = "64"\n'),
        [DEMO_CHANGE.module]: module.replace(
          '    settings = var.settings\n',
          '    settings = var.settings\n    owner    = "idlc-sandbox"\n',
        ),
      },
    });
    runs.push(...(await sb.planPullRequest(pr.number)));
    const comment = await sb.writePullRequestView(pr.number);
    line(say, `PR #${pr.number}: the sticky comment (${join(o.out, `pr-${pr.number}`, 'comment.md')})`);
    say(comment ?? '(no comment was written: see the report run log)');
    const view = sb.pullRequestView(pr.number);
    say(`\nchecks on ${view.headSha.slice(0, 12)}:`);
    for (const c of view.checks) say(`  ${c.conclusion ?? c.status}  ${c.name}`);

    line(say, 'review and merge');
    for (const login of new Set(Object.values(PEOPLE.reviewers))) sb.review(pr.number, login);
    const before = await sb.git.rev('refs/heads/main');
    runs.push(...(await sb.merge(pr.number)));
    await sb.writePullRequestView(pr.number);
    const applied = sb.pullRequestView(pr.number).apply?.body;
    line(say, `PR #${pr.number}: the apply comment (${join(o.out, `pr-${pr.number}`, 'apply-comment.md')})`);
    say(applied ? headOf(applied) : '(no apply comment was written: see the apply run log)');
    const merged = await sb.git.rev('refs/heads/main');
    await showCommits(sb, say, `${before}..${merged}`, 'commits on main since the merge began');

    if (o.promote) {
      line(say, `promote ${o.promote.team}/${o.promote.app} dev → staging`);
      const from = await sb.git.rev('refs/heads/main');
      runs.push(
        ...(await sb.dispatch('.github/workflows/idlc-promote.yml', {
          team: o.promote.team,
          app: o.promote.app,
          from: 'dev',
          to: 'staging',
          'dry-run': false,
        })),
      );
      await showCommits(
        sb,
        say,
        `${from}..${await sb.git.rev('refs/heads/main')}`,
        'what the promotion committed',
        true,
      );
    }

    line(say, 'state in moto');
    const loaded = await sb.registry();
    const buckets = new Set(
      Object.entries(loaded.registry.teams).flatMap(([team, t]) =>
        Object.values(t.envs).flatMap((e) => (e.aws ? [`idlc-tfstate-${team}-${e.aws.account_id}`] : [])),
      ),
    );
    for (const b of [...buckets].sort()) {
      const keys = await sb.moto.listKeys(b).catch(() => []);
      const states = keys.filter((k) => k.endsWith('.tfstate'));
      if (states.length) say(`  ${b}: ${states.join(', ')}`);
    }
    const ok = runs.every((r) => r.conclusion === 'success');
    line(
      say,
      `done in ${Math.round((Date.now() - t0) / 1000)} s: ${ok ? 'every run succeeded' : 'some runs failed'}`,
    );
    for (const r of runs)
      say(
        `  ${r.conclusion === 'success' ? '✓' : '✗'} ${r.event} → ${r.workflow} (${Math.round(r.ms / 1000)} s)`,
      );
    return { pr: pr.number, ...(comment ? { comment } : {}), runs, ok };
  } finally {
    await sb.down();
  }
}
