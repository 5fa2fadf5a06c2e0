import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { minimatch } from 'minimatch';
import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { IdlcError, type Problem } from '../util/errors.ts';

export const WAIVERS_FILE = 'policy/waivers.yaml';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isoDate = z.string().superRefine((s, ctx) => {
  if (!DATE.test(s)) {
    ctx.addIssue({ code: 'custom', message: `expected a date written YYYY-MM-DD, got "${s}"` });
    return;
  }
  const d = new Date(`${s}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || !d.toISOString().startsWith(s)) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not a calendar date` });
  }
});

export const WaiverSchema = z.strictObject({
  rule: z.string().min(1).describe('Rule id (tags.required) or a glob over rule ids (s3.*).'),
  stack: z.string().min(1).describe('Glob over stack ids (aws/search/prod) or manifest folders.'),
  resource: z.string().min(1).describe('Glob over resource addresses or Kind/namespace/name.'),
  reason: z.string().min(10, 'say why in a sentence (at least 10 characters)'),
  owner: z.string().min(1).describe('Who answers for it: @org/team or an email address.'),
  expires: isoDate.describe('Last day (UTC) the waiver applies; afterwards it is itself a violation.'),
});

export const WaiversFileSchema = z.strictObject({
  waivers: z.array(WaiverSchema).default([]),
});

export type WaiverSpec = z.infer<typeof WaiverSchema>;

export interface Waiver extends WaiverSpec {
  /** Where it is written, for messages: policy/waivers.yaml:12 */
  file: string;
  line: number;
}

type PathKey = string | number;

function position(doc: Document, lines: LineCounter, path: PathKey[], key?: string): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)) as Node | undefined;
    if (!node) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return lines.linePos(keyNode.range[0]).line;
    }
    if (node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parse and validate waiver YAML; throws IdlcError with file:line and field for each problem. */
export function parseWaivers(text: string, file = WAIVERS_FILE): Waiver[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new IdlcError(
      doc.errors.map((e) => ({
        file,
        line: lines.linePos(e.pos[0]).line,
        column: lines.linePos(e.pos[0]).col,
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
        fix: 'fix the YAML syntax at this position (indentation, quotes, duplicate keys)',
      })),
    );
  }
  const raw = doc.toJS() ?? { waivers: [] };
  if (Array.isArray(raw) || typeof raw !== 'object') {
    throw new IdlcError({
      file,
      line: 1,
      message: 'expected a mapping with a waivers: list',
      fix: 'write "waivers:" on the first line and the entries below it (opa loads this file as data, which must be a mapping)',
    });
  }
  const parsed = WaiversFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems: Problem[] = [];
    for (const issue of parsed.error.issues) {
      const path = issue.path as PathKey[];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push({
            file,
            line: position(doc, lines, path, key),
            field: [...path, key].join('.'),
            message: 'unknown key',
            fix: 'a waiver has exactly rule, stack, resource, reason, owner and expires',
          });
        }
        continue;
      }
      const missing = issue.code === 'invalid_type' && getAt(raw, path) === undefined;
      problems.push({
        file,
        line: position(doc, lines, path),
        field: path.join('.') || '(top level)',
        message: missing ? `required field is missing (expected ${issue.expected})` : issue.message,
        fix: missing ? `add ${String(path[path.length - 1])}` : undefined,
      });
    }
    throw new IdlcError(problems);
  }
  return parsed.data.waivers.map((w, i) => ({ ...w, file, line: position(doc, lines, ['waivers', i]) ?? 1 }));
}

function getAt(value: unknown, path: PathKey[]): unknown {
  let cur: unknown = value;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathKey, unknown>)[k];
  }
  return cur;
}

/** policy/waivers.yaml of the repository; a missing file means no waivers. */
export async function loadWaivers(root: string, file = WAIVERS_FILE): Promise<Waiver[]> {
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseWaivers(text, file);
}

/**
 * Glob match where only *, ** and ? are special: resource addresses hold [ ] and quotes
 * (module.app["blue"].aws_sns_topic.x) that must match literally.
 */
export function globMatch(value: string, pattern: string): boolean {
  if (!/[*?]/.test(pattern)) return value === pattern;
  const escaped = pattern.replace(/[[\]()!+@{}]/g, (c) => `\\${c}`);
  return minimatch(value, escaped, {
    dot: true,
    nocomment: true,
    nonegate: true,
    noext: true,
    nobrace: true,
  });
}

/** A waiver stops applying after the end (UTC) of its expires day. */
export function isExpired(w: Pick<WaiverSpec, 'expires'>, now: Date): boolean {
  return now.getTime() >= new Date(`${w.expires}T00:00:00Z`).getTime() + 24 * 3600 * 1000;
}

export function waiverApplies(w: Waiver, stack: string, rule: string, resource: string): boolean {
  return globMatch(stack, w.stack) && globMatch(rule, w.rule) && globMatch(resource, w.resource);
}

export const where = (w: Waiver) => `${w.file}:${w.line}`;
