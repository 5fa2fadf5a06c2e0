/** The report action's inputs, context and outcome (shared by its modes). */
import type { TrustContext } from '../../../src/engine/plan-anchor.ts';
import type { ChecksMode } from '../../../src/report/checks.ts';
import type { RepoRef } from '../../../src/report/sticky-comment.ts';

export type ReportMode = 'plan' | 'plan-run' | 'apply' | 'drift';

export interface ReportInputs {
  mode: ReportMode;
  /** Result files of this run's jobs (plan, apply, drift modes); plan-run reads the plan run's artifacts. */
  resultsDir: string;
  /** PR number; default: from the event (plan), or the PR merged as the pushed commit (apply). */
  pullRequest?: number;
  /** Commit the checks go on; default: the PR head from the event, else GITHUB_SHA. */
  headSha?: string;
  checks: ChecksMode;
  comment: boolean;
  driftLabel: string;
  /** Fail the step when any stack has one of these results. */
  failOn: ('error' | 'denied')[];
}

export interface ReportContext {
  repo: RepoRef;
  /** https://github.com/OWNER/REPO/actions/runs/ID */
  runUrl?: string;
  eventName: string;
  event: Record<string, unknown>;
  /** GITHUB_SHA */
  sha?: string;
  now?: () => Date;
  /** plan-run mode: the default branch's checkout (registry: who attests plans). */
  root?: string;
  /** plan-run mode, tests: the issuer's key set without discovery. */
  keys?: TrustContext['keys'];
}

export interface ReportRun {
  outputs: Record<string, string>;
  /** Markdown for GITHUB_STEP_SUMMARY (≤ 1 MiB). */
  summary: string;
  warnings: string[];
  /** Set when the step should fail (fail-on), with the reason. */
  failure?: string;
}
