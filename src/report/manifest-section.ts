import { z } from 'zod';
import { code, text } from './escape.ts';

/**
 * The Kubernetes manifest validation (idlc.manifest-result/v1) as a section of the PR report
 * or a job summary. Object names and messages come from what the PR wrote: every string is
 * escaped, and the section is bounded (`maxProblems`, `maxTargets`).
 */
const Problem = z.object({
  check: z.string(),
  object: z.string().optional(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
});
const Target = z.object({
  id: z.string(),
  status: z.enum(['ok', 'invalid', 'denied']),
  objects: z.number(),
  problems: z.array(Problem),
});
export const ManifestResultShape = z.object({
  schema: z.literal('idlc.manifest-result/v1'),
  ok: z.boolean(),
  kubernetesVersion: z.string(),
  summary: z.object({
    targets: z.number(),
    objects: z.number(),
    invalid: z.number(),
    denied: z.number(),
    warnings: z.number(),
  }),
  targets: z.array(Target),
});
export type ManifestResultLike = z.infer<typeof ManifestResultShape>;

/** Parse untrusted bytes; undefined when they are not a manifest result. */
export function parseManifestResult(bytes: Uint8Array): ManifestResultLike | undefined {
  try {
    const r = ManifestResultShape.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function renderManifestSection(
  r: ManifestResultLike,
  o: { maxProblems?: number; maxTargets?: number } = {},
): string {
  const maxProblems = o.maxProblems ?? 20;
  const maxTargets = o.maxTargets ?? 30;
  const s = r.summary;
  const head = `#### ${r.ok ? '✅' : '❌'} Kubernetes manifests: ${r.ok ? 'valid' : 'problems found'}`;
  const line = `${s.targets} targets, ${s.objects} objects (Kubernetes ${text(r.kubernetesVersion)}): ${s.invalid} invalid, ${s.denied} denied, ${s.warnings} warnings`;
  const bad = r.targets.filter((t) => t.status !== 'ok');
  const lines = [head, line];
  if (bad.length) {
    lines.push('', '| | target | problems |', '|---|---|---|');
    for (const t of bad.slice(0, maxTargets)) {
      const errors = t.problems.filter((p) => p.severity === 'error').length;
      lines.push(`| ${t.status === 'denied' ? '⛔' : '❌'} | ${code(clip(t.id, 120))} | ${errors} |`);
    }
    if (bad.length > maxTargets) lines.push(`| | … ${bad.length - maxTargets} more | |`);
  }
  const problems = r.targets.flatMap((t) =>
    t.problems.filter((p) => p.severity === 'error').map((p) => ({ t, p })),
  );
  if (problems.length) {
    lines.push('', '<details><summary>Problems</summary>', '');
    for (const { t, p } of problems.slice(0, maxProblems)) {
      const object = p.object ? ` ${code(clip(p.object, 120))}` : '';
      lines.push(`- ${code(clip(t.id, 120))} ${text(p.check)}${object}: ${text(clip(p.message, 300))}`);
    }
    if (problems.length > maxProblems)
      lines.push(`- … ${problems.length - maxProblems} more in the job summary`);
    lines.push('', '</details>');
  }
  return lines.join('\n');
}
