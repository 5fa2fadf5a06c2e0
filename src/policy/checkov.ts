import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isScalar, isSeq, parseDocument } from 'yaml';
import { IdlcError, UsageError } from '../util/errors.ts';
import { type PolicyExec, toolExec } from './opa-eval.ts';

/** Repository-wide checkov settings for the PR scan (skips with their reasons). */
export const CHECKOV_CONFIG = '.checkov.yaml';

export interface CheckovFailure {
  checkId: string;
  name: string;
  resource: string;
  /** file:line relative to the repository root. */
  at: string;
  guideline?: string;
}

/** What the PR report shows for one scanned folder. */
export interface CheckovSummary {
  dir: string;
  passed: number;
  failed: number;
  skipped: number;
  parsingErrors: number;
  resourceCount: number;
  version?: string;
  /** The first five failures by file and line. */
  top: CheckovFailure[];
}

interface CheckovReport {
  results?: { failed_checks?: CheckovRecord[] };
  summary?: {
    passed?: number;
    failed?: number;
    skipped?: number;
    parsing_errors?: number;
    resource_count?: number;
    checkov_version?: string;
  };
}

interface CheckovRecord {
  check_id: string;
  check_name: string;
  resource: string;
  file_abs_path?: string;
  file_path?: string;
  file_line_range?: [number, number];
  guideline?: string | null;
}

/** Turn checkov's JSON (one report, or a list when several frameworks ran) into a summary. */
export function summariseCheckov(json: unknown, root: string, dir: string): CheckovSummary {
  const reports = (Array.isArray(json) ? json : [json]) as CheckovReport[];
  const s: CheckovSummary = {
    dir: relative(root, dir) || '.',
    passed: 0,
    failed: 0,
    skipped: 0,
    parsingErrors: 0,
    resourceCount: 0,
    top: [],
  };
  const failures: (CheckovFailure & { file: string; line: number })[] = [];
  for (const r of reports) {
    s.passed += r.summary?.passed ?? 0;
    s.failed += r.summary?.failed ?? 0;
    s.skipped += r.summary?.skipped ?? 0;
    s.parsingErrors += r.summary?.parsing_errors ?? 0;
    s.resourceCount += r.summary?.resource_count ?? 0;
    s.version ??= r.summary?.checkov_version;
    for (const f of r.results?.failed_checks ?? []) {
      const abs = f.file_abs_path ?? join(dir, f.file_path ?? '');
      const file = relative(root, abs);
      const line = f.file_line_range?.[0] ?? 0;
      failures.push({
        checkId: f.check_id,
        name: f.check_name,
        resource: f.resource,
        at: `${file}:${line}`,
        file,
        line,
        ...(f.guideline ? { guideline: f.guideline } : {}),
      });
    }
  }
  failures.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.checkId.localeCompare(b.checkId),
  );
  s.top = failures.slice(0, 5).map(({ file: _f, line: _l, ...rest }) => rest);
  return s;
}

/**
 * Run checkov over one folder of Terraform (a stack), with the repository's .checkov.yaml,
 * and summarise it. checkov exits 1 when checks fail: that is a result, not an error.
 */
export async function runCheckov(o: {
  root: string;
  dir: string;
  exec?: PolicyExec;
}): Promise<CheckovSummary> {
  const exec = o.exec ?? toolExec;
  const config = join(o.root, CHECKOV_CONFIG);
  const args = ['-d', o.dir, '--framework', 'terraform', '-o', 'json', '--quiet'];
  if (existsSync(config)) {
    await readCheckovSkips(o.root);
    args.push('--config-file', config);
  }
  const out = await exec('checkov', args, { cwd: o.root });
  if (out.notFound) {
    throw new UsageError('checkov is not installed (or not on PATH)', 'run scripts/install-tools');
  }
  let json: unknown;
  try {
    json = JSON.parse(out.stdout);
  } catch {
    json = undefined;
  }
  if ((out.code !== 0 && out.code !== 1) || json === undefined) {
    throw new UsageError(
      `checkov failed on ${relative(o.root, o.dir) || '.'} (exit ${out.code}):\n${(out.stderr || out.stdout).trim().slice(0, 4000)}`,
      `run checkov -d ${relative(o.root, o.dir)} --framework terraform locally to see the whole output`,
    );
  }
  return summariseCheckov(json, o.root, o.dir);
}

/**
 * The skip-check entries of .checkov.yaml with the comment above each, which is its reason.
 * A skip without a reason is an error: every exception must say why.
 */
export async function readCheckovSkips(
  root: string,
): Promise<{ id: string; reason: string; line: number }[]> {
  const text = await readFile(join(root, CHECKOV_CONFIG), 'utf8');
  const doc = parseDocument(text);
  const seq = doc.get('skip-check', true);
  if (seq === undefined) return [];
  if (!isSeq(seq)) {
    throw new IdlcError({
      file: CHECKOV_CONFIG,
      field: 'skip-check',
      message: 'expected a list of check ids',
    });
  }
  const out: { id: string; reason: string; line: number }[] = [];
  const lines = text.split('\n');
  for (const item of seq.items) {
    if (!isScalar(item)) continue;
    const line = text.slice(0, item.range?.[0] ?? 0).split('\n').length;
    // The reason is the block of comment lines right above the entry.
    const comment: string[] = [];
    for (let i = line - 2; i >= 0 && /^\s*#/.test(lines[i] ?? ''); i--) {
      comment.unshift((lines[i] ?? '').replace(/^\s*#\s?/, ''));
    }
    const reason = comment.join(' ').trim();
    if (!reason) {
      throw new IdlcError({
        file: CHECKOV_CONFIG,
        line,
        field: 'skip-check',
        message: `${String(item.value)} is skipped without a reason`,
        fix: 'write the reason as a comment on the lines above the entry',
      });
    }
    out.push({ id: String(item.value), reason, line });
  }
  return out;
}

/** Markdown for the PR comment: counts, then the first failures with where they are. */
export function renderCheckovMarkdown(s: CheckovSummary): string {
  const head = `**checkov** \`${s.dir}\`: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${
    s.parsingErrors > 0 ? `, ${s.parsingErrors} files could not be parsed` : ''
  }`;
  if (s.top.length === 0) return head;
  const rows = s.top.map(
    (f) => `| ${f.checkId} | ${f.name.replace(/\|/g, '\\|')} | \`${f.resource}\` | \`${f.at}\` |`,
  );
  const more = s.failed > s.top.length ? `\n\n…and ${s.failed - s.top.length} more.` : '';
  return [head, '', '| check | what | resource | where |', '|---|---|---|---|', ...rows].join('\n') + more;
}
