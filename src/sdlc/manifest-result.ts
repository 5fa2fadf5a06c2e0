/**
 * The result contract of `idlc manifests validate` (idlc.manifest-result/v1): what the PR
 * report renders next to the plans. A leaf: imports nothing internal.
 */
export const MANIFEST_RESULT_SCHEMA = 'idlc.manifest-result/v1';

export type CheckName = 'generate' | 'render' | 'lint' | 'schema' | 'policy' | 'values';

export interface ManifestProblem {
  check: CheckName;
  /** Kind/namespace/name of the object, when the problem is about one. */
  object?: string;
  /** File (and line) it comes from, when known. */
  file?: string;
  message: string;
  /** policy: deny (fails) or warn (reported only) */
  severity: 'error' | 'warning';
}

export type TargetKind = 'overlay' | 'tenant' | 'argocd' | 'platform' | 'generated';

export interface ManifestTarget {
  /** The folder (and env) checked, e.g. sdlc/teams/search/dev/api or sdlc/platform/karpenter (dev). */
  id: string;
  kind: TargetKind;
  team?: string;
  env?: string;
  /** ok: every check passed; invalid: render, lint, schema or values failed; denied: a policy denied. */
  status: 'ok' | 'invalid' | 'denied';
  objects: number;
  problems: ManifestProblem[];
}

export interface ManifestResult {
  schema: typeof MANIFEST_RESULT_SCHEMA;
  ok: boolean;
  kubernetesVersion: string;
  summary: { targets: number; objects: number; invalid: number; denied: number; warnings: number };
  targets: ManifestTarget[];
  /** What could not be checked here and how it is covered instead. */
  notes: string[];
}

export function summarize(
  targets: ManifestTarget[],
  kubernetesVersion: string,
  notes: string[],
): ManifestResult {
  const summary = {
    targets: targets.length,
    objects: targets.reduce((n, t) => n + t.objects, 0),
    invalid: targets.filter((t) => t.status === 'invalid').length,
    denied: targets.filter((t) => t.status === 'denied').length,
    warnings: targets.reduce((n, t) => n + t.problems.filter((p) => p.severity === 'warning').length, 0),
  };
  return {
    schema: MANIFEST_RESULT_SCHEMA,
    ok: summary.invalid === 0 && summary.denied === 0,
    kubernetesVersion,
    summary,
    targets,
    notes,
  };
}

/** Markdown for a job summary or a PR comment section. */
export function renderManifestResult(r: ManifestResult, maxProblems = 50): string {
  const icon = (t: ManifestTarget) => (t.status === 'ok' ? '✅' : t.status === 'denied' ? '⛔' : '❌');
  const lines = [
    `### Kubernetes manifests: ${r.ok ? 'valid' : 'problems found'}`,
    '',
    `${r.summary.targets} targets, ${r.summary.objects} objects (Kubernetes ${r.kubernetesVersion}): ${r.summary.invalid} invalid, ${r.summary.denied} denied, ${r.summary.warnings} warnings.`,
    '',
    '| | target | objects | problems |',
    '| --- | --- | --- | --- |',
    ...r.targets.map(
      (t) =>
        `| ${icon(t)} | \`${t.id}\` | ${t.objects} | ${t.problems.filter((p) => p.severity === 'error').length} |`,
    ),
  ];
  const problems = r.targets.flatMap((t) => t.problems.map((p) => ({ t, p })));
  if (problems.length) {
    lines.push('', '<details><summary>Problems</summary>', '');
    for (const { t, p } of problems.slice(0, maxProblems)) {
      lines.push(
        `- ${p.severity === 'error' ? '**error**' : 'warning'} \`${t.id}\` ${p.check}${p.object ? ` ${p.object}` : ''}: ${p.message.replaceAll('\n', ' ')}`,
      );
    }
    if (problems.length > maxProblems)
      lines.push(`- … ${problems.length - maxProblems} more in the result file`);
    lines.push('', '</details>');
  }
  return lines.join('\n');
}
