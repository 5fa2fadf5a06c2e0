/**
 * apply-results mode (idlc-apply.yml, after the apply waves): the `workload` output each applied
 * stack kept in its result file goes into its team's app overlays (infra-outputs.env), through
 * the same compare-and-swap commit path as pin updates. Runs on the default branch, with the
 * same run's apply artifacts: nothing here comes from a pull request.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../../src/github/client.ts';
import { commitInfraOutputs, WORKLOAD_OUTPUT } from '../../../src/gitops/infra-outputs.ts';
import type { RepoApi } from '../../../src/gitops/repo-api.ts';
import { text } from '../../../src/report/escape.ts';

const AppliedResult = z.object({
  stack: z.object({ id: z.string(), team: z.string(), env: z.string() }),
  status: z.string(),
  pullRequest: z.number().optional(),
  mergeSha: z.string().optional(),
  workload: z.object({ value: z.unknown() }).optional(),
});
type Applied = z.infer<typeof AppliedResult>;

async function jsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await jsonFiles(p)));
    else if (e.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

export interface AppliedOutputsRun {
  outputs: Record<string, string>;
  summary: string;
  warnings: string[];
}

export async function commitAppliedOutputs(
  deps: { api: RepoApi; log: Logger },
  o: { dir: string; branch: string; sha?: string; serverUrl: string; repo: { owner: string; repo: string } },
): Promise<AppliedOutputsRun> {
  const applied: Applied[] = [];
  const warnings: string[] = [];
  for (const file of await jsonFiles(o.dir)) {
    const parsed = AppliedResult.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) {
      warnings.push(`${file}: not an apply result, skipped`);
      continue;
    }
    if (parsed.data.status === 'applied' && parsed.data.workload) applied.push(parsed.data);
  }
  const rows: string[] = [];
  const commits: string[] = [];
  for (const r of applied) {
    const outcome = await commitInfraOutputs({
      api: deps.api,
      branch: o.branch,
      stack: r.stack,
      outputs: { [WORKLOAD_OUTPUT]: { value: r.workload?.value } },
      source: {
        ...((r.mergeSha ?? o.sha) ? { commit: r.mergeSha ?? o.sha } : {}),
        ...(r.pullRequest
          ? { pr: `${o.serverUrl}/${o.repo.owner}/${o.repo.repo}/pull/${r.pullRequest}` }
          : {}),
      },
      log: deps.log,
    });
    if (outcome.commit) commits.push(outcome.commit.oid);
    rows.push(
      `| ${text(r.stack.id)} | ${outcome.changed ? outcome.files.map((f) => text(f)).join('<br>') : 'unchanged'} |`,
    );
  }
  return {
    outputs: {
      changed: String(commits.length > 0),
      'commit-sha': commits.at(-1) ?? '',
      'commit-url': '',
      changes: JSON.stringify(applied.map((r) => r.stack.id)),
      held: '[]',
    },
    summary: applied.length
      ? ['### idlc gitops-update: infra outputs', '', '| stack | files |', '| --- | --- |', ...rows].join(
          '\n',
        )
      : '### idlc gitops-update: no applied stack has a workload output',
    warnings,
  };
}
