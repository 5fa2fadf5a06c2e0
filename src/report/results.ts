/**
 * Stack results: what each plan (or apply) job writes as JSON for the aggregating report step,
 * one file per stack or one file holding a list (packed matrix jobs). The schema is the
 * contract between the plan jobs and the report; it is checked on read so a malformed file
 * fails with its path and field rather than rendering half a comment.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { PlanModel } from '../plan/model.ts';
import { IdlcError, type Problem } from '../util/errors.ts';

export const STACK_RESULT_SCHEMA = 'idlc.stack-result/v1';

const url = z.string().url();

export const StackRefSchema = z.object({
  /** cloud/team/env[/stack] */
  id: z.string().min(1),
  team: z.string().min(1),
  env: z.string().min(1),
  /** Path below the env folder ("" when the env folder is the stack). */
  name: z.string().default(''),
  dir: z.string().default(''),
});

export const FindingSchema = z.object({
  status: z.enum(['deny', 'warn', 'waived']),
  rule: z.string(),
  resource: z.string(),
  message: z.string(),
  waiver: z
    .object({ reason: z.string(), owner: z.string(), expires: z.string() })
    .partial()
    .passthrough()
    .optional(),
});

export const CheckovSchema = z
  .object({
    passed: z.number().int().min(0),
    failed: z.number().int().min(0),
    skipped: z.number().int().min(0).default(0),
    parsingErrors: z.number().int().min(0).optional(),
    top: z
      .array(
        z
          .object({ checkId: z.string(), name: z.string(), resource: z.string(), at: z.string().optional() })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

const counts = z.object({
  create: z.number(),
  update: z.number(),
  delete: z.number(),
  replace: z.number(),
  read: z.number(),
  noop: z.number(),
  forget: z.number().default(0),
  import: z.number().default(0),
  move: z.number().default(0),
  other: z.record(z.string(), z.number()).optional(),
});

const resource = z
  .object({
    address: z.string(),
    action: z.enum(['create', 'update', 'delete', 'replace', 'read', 'no-op', 'forget', 'other']),
    attributes: z.array(
      z
        .object({ path: z.string(), before: z.string().optional(), after: z.string().optional() })
        .passthrough(),
    ),
  })
  .passthrough();

/** The parts of a PlanModel the renderer relies on (the model itself is built by src/plan). */
export const PlanModelShape = z
  .object({
    version: z.literal(1),
    errored: z.boolean(),
    counts,
    resources: z.array(resource),
    outputs: z.array(z.object({ name: z.string(), action: z.string() }).passthrough()),
    drift: z.array(resource),
    errors: z.array(z.object({ severity: z.string(), summary: z.string() }).passthrough()),
    hasChanges: z.boolean(),
    destructive: z.boolean(),
  })
  .passthrough();

export const StackResultSchema = z.object({
  schema: z.literal(STACK_RESULT_SCHEMA).optional(),
  stack: StackRefSchema,
  /** Apply order: wave 0 first. */
  wave: z.number().int().min(0).default(0),
  status: z.enum(['no-changes', 'changes', 'error', 'denied']),
  model: PlanModelShape.optional(),
  policy: z.object({ findings: z.array(FindingSchema) }).optional(),
  checkov: CheckovSchema.optional(),
  /** Why the plan failed (status error), already free of secrets. */
  error: z.string().optional(),
  links: z.object({ run: url.optional(), summary: url.optional(), bundle: url.optional() }).default({}),
  bundleSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  headSha: z.string().optional(),
});

export type StackRef = z.infer<typeof StackRefSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type CheckovSummary = z.infer<typeof CheckovSchema>;
export type StackStatus = z.infer<typeof StackResultSchema>['status'];
export type StackResult = Omit<z.infer<typeof StackResultSchema>, 'model'> & { model?: PlanModel };

/** Input type for writers (defaults may be left out). */
export type StackResultInput = Omit<z.input<typeof StackResultSchema>, 'model'> & { model?: PlanModel };

export const ApplyResultSchema = z.object({
  stack: StackRefSchema,
  wave: z.number().int().min(0).default(0),
  status: z.enum(['applied', 'no-changes', 'failed', 'stale', 'skipped']),
  model: PlanModelShape.optional(),
  error: z.string().optional(),
  /** Why nothing was done although nothing failed (e.g. applied by an earlier run). */
  note: z.string().optional(),
  /** The merged PR whose reviewed plan this is, and its merge commit. */
  pullRequest: z.number().int().positive().optional(),
  mergeSha: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  links: z.object({ run: url.optional(), summary: url.optional(), bundle: url.optional() }).default({}),
  bundleSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type ApplyResult = Omit<z.infer<typeof ApplyResultSchema>, 'model'> & { model?: PlanModel };

/** Derive a plan result's status from its model and policy (for writers and the CLI). */
export function statusOf(model: PlanModel | undefined, findings: Finding[] = []): StackStatus {
  if (!model || model.errored) return 'error';
  if (findings.some((f) => f.status === 'deny')) return 'denied';
  return model.hasChanges ? 'changes' : 'no-changes';
}

async function jsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new IdlcError({
      file: dir,
      message: `cannot read the results folder: ${(err as Error).message}`,
      fix: 'download the plan jobs’ result artifacts into it (actions/download-artifact with `path:`)',
    });
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await jsonFiles(p)));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out;
}

function zodProblems(file: string, issues: z.core.$ZodIssue[], prefix: (number | string)[]): Problem[] {
  return issues.slice(0, 10).map((i) => ({
    file,
    field: [...prefix, ...(i.path as (string | number)[])].join('.') || undefined,
    message: i.message,
    fix: `write results with the ${STACK_RESULT_SCHEMA} shape (see docs/pr-feedback.md)`,
  }));
}

export interface LoadedResults<T> {
  results: T[];
  warnings: string[];
  files: string[];
}

/** Parse results of either schema from every *.json below `dir` (one result or a list per file). */
export async function loadResultsWith<S extends z.ZodTypeAny>(
  dir: string,
  schema: S,
  /** One result per key (default: the stack id); a later file with the same key replaces it. */
  keyOf: (r: z.infer<S> & { stack: StackRef }) => string = (r) => r.stack.id,
): Promise<LoadedResults<z.infer<S> & { stack: StackRef }>> {
  const files = await jsonFiles(dir);
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const byId = new Map<string, { result: z.infer<S> & { stack: StackRef }; file: string }>();
  for (const file of files) {
    const rel = relative(process.cwd(), file) || file;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      problems.push({ file: rel, message: `not JSON: ${(err as Error).message}` });
      continue;
    }
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((item, i) => {
      const parsed = schema.safeParse(item);
      if (!parsed.success) {
        problems.push(...zodProblems(rel, parsed.error.issues, Array.isArray(raw) ? [i] : []));
        return;
      }
      const result = parsed.data as z.infer<S> & { stack: StackRef };
      const key = keyOf(result);
      const seen = byId.get(key);
      if (seen)
        warnings.push(
          `${result.stack.id}: results in ${seen.file} and ${rel}; using ${rel} (the later file)`,
        );
      byId.set(key, { result, file: rel });
    });
  }
  if (problems.length > 0) throw new IdlcError(problems);
  return { results: [...byId.values()].map((v) => v.result), warnings, files };
}

export function loadStackResults(dir: string): Promise<LoadedResults<StackResult>> {
  return loadResultsWith(dir, StackResultSchema) as Promise<LoadedResults<StackResult>>;
}

/** Apply results: one per stack and merged PR (a run may apply several PRs to one stack). */
export function loadApplyResults(dir: string): Promise<LoadedResults<ApplyResult>> {
  return loadResultsWith(
    dir,
    ApplyResultSchema,
    (r) => `${r.stack.id}#${r.pullRequest ?? ''}#${r.mergeSha ?? ''}`,
  ) as Promise<LoadedResults<ApplyResult>>;
}
