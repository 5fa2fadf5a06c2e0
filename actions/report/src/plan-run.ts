/**
 * plan-run mode (idlc-report.yml, `workflow_run` of "idlc plan"): the PR comment and checks,
 * written by default-branch code from a plan run's artifacts treated as untrusted data. Only
 * result files listed in a manifest that the default branch's plan workflow attested are
 * rendered; everything else in the run is named and ignored.
 */
import { loadRegistry } from '../../../src/config/load.ts';
import {
  latestEntries,
  readAttestedRun,
  toWorkflowRun,
  type WorkflowRun,
} from '../../../src/engine/plan-anchor.ts';
import type { GitHubClient, Logger } from '../../../src/github/client.ts';
import { text } from '../../../src/report/escape.ts';
import { parseManifestResult, renderManifestSection } from '../../../src/report/manifest-section.ts';
import { type StackResult, StackResultSchema } from '../../../src/report/results.ts';
import { UsageError } from '../../../src/util/errors.ts';
import { publishPlan } from './publish-plan.ts';
import type { ReportContext, ReportInputs, ReportRun } from './types.ts';

/** The check run that carries the manifest validation (required in the ruleset when sdlc/ changes matter). */
export const MANIFESTS_CHECK = 'idlc/manifests';

const nothing = (why: string, warnings: string[] = []): ReportRun => ({
  outputs: {
    stacks: '0',
    changes: '0',
    denied: '0',
    errors: '0',
    conclusion: 'skipped',
    'comment-id': '',
    'comment-url': '',
  },
  summary: `### idlc report\n\n${text(why)}\n`,
  warnings,
});

/** The open PR a run was for: listed on the run, or (fork PRs, which runs do not list) by head branch and sha. */
async function pullRequestOf(
  gh: GitHubClient,
  ctx: ReportContext,
  run: WorkflowRun,
): Promise<number | undefined> {
  if (run.pullRequests[0]) return run.pullRequests[0];
  const owner = run.headRepository.split('/')[0];
  if (!owner || !run.headBranch) return undefined;
  const { data } = await gh.rest.rest.pulls.list({
    ...ctx.repo,
    state: 'open',
    head: `${owner}:${run.headBranch}`,
    per_page: 10,
  });
  return data.find((p) => p.head.sha === run.headSha)?.number;
}

export async function planRunMode(
  gh: GitHubClient,
  i: ReportInputs,
  ctx: ReportContext,
  log: Logger,
): Promise<ReportRun> {
  const raw = ctx.event['workflow_run'] as Record<string, unknown> | undefined;
  if (!raw) {
    throw new UsageError(
      `mode plan-run reads a workflow_run event, not ${ctx.eventName || 'none'}`,
      'run it from idlc-report.yml (on: workflow_run: workflows: ["idlc plan"], types: [completed])',
    );
  }
  const run = toWorkflowRun(raw);
  if (run.event !== 'pull_request') return nothing(`run ${run.id} was not for a pull request (${run.event})`);
  const loaded = await loadRegistry(ctx.root ?? process.cwd());
  const github = loaded.registry.github;
  if (!github) {
    throw new UsageError(
      'idlc.yaml has no github: block: nobody can tell which workflow attests plans',
      'add github: { repository: owner/name, default_branch: main } to idlc.yaml on the default branch',
    );
  }
  if (`${ctx.repo.owner}/${ctx.repo.repo}` !== github.repository) {
    throw new UsageError(
      `this workflow runs in ${ctx.repo.owner}/${ctx.repo.repo}, but idlc.yaml names ${github.repository}`,
      'set github.repository in idlc.yaml to this repository',
    );
  }
  const pr = await pullRequestOf(gh, ctx, run);
  if (!pr) return nothing(`no open pull request has head ${run.headSha.slice(0, 12)} of run ${run.id}`);
  const current = (await gh.rest.rest.pulls.get({ ...ctx.repo, pull_number: pr })).data.head.sha;
  if (current !== run.headSha) {
    return nothing(
      `PR #${pr} has moved on to ${current.slice(0, 12)}; run ${run.id} planned ${run.headSha.slice(0, 12)}`,
      [`PR #${pr} has moved on; the newer run will report`],
    );
  }
  const attested = await readAttestedRun(
    {
      gh: gh.rest,
      repo: ctx.repo,
      identity: { repository: github.repository, defaultBranch: github.default_branch },
      issuer: github.oidc_issuer,
      keys: ctx.keys,
    },
    run,
    pr,
  );
  const { stacks, conflicts } = latestEntries(attested);
  const warnings: string[] = [];
  const results: StackResult[] = [];
  for (const [id, s] of stacks) {
    let parsed: StackResult | undefined;
    try {
      const r = StackResultSchema.safeParse(JSON.parse(Buffer.from(s.result).toString('utf8')));
      if (r.success && r.data.stack.id === id) parsed = r.data as StackResult;
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      warnings.push(`${id}: the attested result file is not a stack result; shown as an error`);
      results.push({
        stack: { id, team: '', env: '', name: '', dir: '' },
        wave: 0,
        status: 'error',
        links: {},
        error: 'the plan run wrote an unreadable result for this stack',
      });
      continue;
    }
    if (conflicts.includes(id)) {
      parsed = {
        ...parsed,
        status: 'error',
        error: 'the plan run attested two different plans for this stack; re-run the plan',
      };
    }
    results.push(parsed);
  }
  const notes: string[] = [];
  // The manifest validation of the newest attempt that ran it.
  const validated = attested.manifests
    .filter((m) => m.manifestResult)
    .sort((a, b) => b.attempt - a.attempt)[0]?.manifestResult;
  const manifestResult = validated ? parseManifestResult(validated) : undefined;
  if (validated && !manifestResult) warnings.push('the attested manifest validation result is unreadable');
  if (manifestResult) notes.push(renderManifestSection(manifestResult));
  if (attested.ignored.length > 0) {
    const shown = attested.ignored.slice(0, 10).map((x) => `- ${text(x.slice(0, 200))}`);
    notes.push(
      `> [!WARNING]\n> ${attested.ignored.length} artifact(s) of the plan run were not attested by the default branch's plan workflow and were ignored:\n${shown.map((l) => `> ${l}`).join('\n')}`,
    );
  }
  if (results.length === 0 && !manifestResult) {
    const fork = run.headRepository !== github.repository;
    notes.push(
      fork
        ? '> [!NOTE]\n> This PR comes from a fork: GitHub gives fork PRs no ID token, so their stacks are not planned with cloud credentials. A maintainer can push the branch to this repository to plan it.'
        : `> [!CAUTION]\n> The plan run ended "${text(run.conclusion ?? 'unknown')}" without attested plans: nothing can be applied from it. See the run log.`,
    );
  }
  for (const w of warnings) log.warning(w);
  log.info(
    `run ${run.id}: ${results.length} attested stack result(s), ${attested.ignored.length} artifact(s) ignored`,
  );
  if (manifestResult && i.checks === 'check-runs') {
    await gh.rest.rest.checks.create({
      ...ctx.repo,
      name: MANIFESTS_CHECK,
      head_sha: run.headSha,
      status: 'completed',
      conclusion: manifestResult.ok ? 'success' : 'failure',
      ...(run.htmlUrl ? { details_url: run.htmlUrl } : {}),
      output: {
        title: manifestResult.ok
          ? `${manifestResult.summary.targets} targets valid`
          : `${manifestResult.summary.invalid} invalid, ${manifestResult.summary.denied} denied`,
        summary: renderManifestSection(manifestResult).slice(0, 60_000),
      },
    });
  }
  return publishPlan(gh, i, ctx, log, {
    results,
    warnings,
    pr,
    headSha: run.headSha,
    links: run.htmlUrl ? { run: run.htmlUrl, summary: run.htmlUrl } : {},
    notes,
  });
}
