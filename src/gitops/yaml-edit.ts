/**
 * In-place scalar edits of YAML files that people also edit by hand. The file is parsed with
 * the `yaml` Document API only to find the one scalar; the new value is spliced into the
 * original text at that scalar's source range, so every other byte (comments, key order,
 * blank lines, anchors, flow style, CRLF line ends, quoting elsewhere) stays as it was.
 *
 * Nothing is ever created: a path that does not resolve to an existing scalar is an error
 * that names the file, the path and the fix. A scalar marked `# idlc: hold` (on its line, or
 * in the comment above it or above its list entry) is never changed.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parse, parseDocument, Scalar } from 'yaml';
import { IdlcError } from '../util/errors.ts';

/** A map key, a list index, or the list entry whose `key` field equals `equals`. */
export type PathSegment = string | number | { key: string; equals: string };

export interface ScalarEdit {
  path: PathSegment[];
  value: string;
}

export interface AppliedEdit {
  path: string;
  old: string;
  new: string;
  line: number;
}

export interface EditResult {
  text: string;
  changed: boolean;
  edits: AppliedEdit[];
}

/** The marker that freezes a pin (after a rollback): automation never changes it. */
export const HOLD_MARKER = /#\s*idlc:\s*hold\b/;

export function formatPath(path: PathSegment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string') out += out ? `.${s}` : s;
    else out += `[${s.key}=${s.equals}]`;
  }
  return out;
}

/** True when YAML 1.1 and 1.2 readers both read `value` back as this exact string, unquoted. */
export function safeAsPlain(value: string): boolean {
  if (value === '' || /^\s|\s$|[\r\n\t]/.test(value)) return false;
  try {
    return parse(value, { version: '1.2' }) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

/** The source text of a scalar holding `value`, in the style of the one it replaces. */
export function renderScalar(value: string, style: Scalar['type']): string {
  if (style === Scalar.QUOTE_SINGLE && !/[\r\n]/.test(value)) return `'${value.replaceAll("'", "''")}'`;
  if (style === Scalar.PLAIN && safeAsPlain(value)) return value;
  // double quotes: the only style that can carry any string
  return JSON.stringify(value);
}

interface Located {
  node: Scalar;
  /** Comments of the scalar and of the list entries and keys on the way to it. */
  comments: string[];
}

function fail(file: string, line: number | undefined, message: string, fix: string): never {
  throw new IdlcError({ file, ...(line ? { line } : {}), message, fix });
}

function locate(
  root: Node | null | undefined,
  path: PathSegment[],
  file: string,
  lines: LineCounter,
): Located {
  let node: unknown = root;
  const comments: string[] = [];
  const where = (n: unknown) =>
    (n as Node | undefined)?.range ? lines.linePos((n as Node).range?.[0] ?? 0).line : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as PathSegment;
    const sofar = formatPath(path.slice(0, i + 1));
    if (isAlias(node)) {
      fail(
        file,
        where(node),
        `${sofar}: is an alias (*${node.source})`,
        'pin the value where automation can edit it',
      );
    }
    if (typeof seg === 'string') {
      if (!isMap(node))
        fail(file, where(node), `${formatPath(path.slice(0, i))} is not a map`, 'check the path');
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) {
        fail(
          file,
          where(node),
          `${sofar} does not exist`,
          `add "${seg}" to the file by hand (automation changes existing pins, it never adds keys)`,
        );
      }
      if (isScalar(pair.key) && pair.key.commentBefore) comments.push(pair.key.commentBefore);
      node = pair.value;
    } else if (typeof seg === 'number') {
      if (!isSeq(node) || seg >= node.items.length)
        fail(file, where(node), `${sofar} does not exist`, 'check the path');
      node = node.items[seg];
    } else {
      if (!isSeq(node))
        fail(file, where(node), `${formatPath(path.slice(0, i))} is not a list`, 'check the path');
      const item = node.items.find(
        (it) =>
          isMap(it) &&
          it.items.some(
            (p) =>
              isScalar(p.key) &&
              p.key.value === seg.key &&
              isScalar(p.value) &&
              String(p.value.value) === seg.equals,
          ),
      );
      if (!item) {
        fail(
          file,
          where(node),
          `${sofar}: no entry with ${seg.key}: ${seg.equals}`,
          `add the entry by hand (automation never creates one), or use one of the existing ${seg.key}s`,
        );
      }
      const it = item as Node;
      // a comment above the first entry belongs to the list itself in the Document API
      if (node.items[0] === item && node.commentBefore) comments.push(node.commentBefore);
      if (it.commentBefore) comments.push(it.commentBefore);
      const first = isMap(it) ? it.items[0]?.key : undefined;
      if (isScalar(first) && first.commentBefore) comments.push(first.commentBefore);
      node = item;
    }
  }
  if (isAlias(node)) {
    fail(
      file,
      where(node),
      `${formatPath(path)} is an alias (*${node.source}); editing it would change every use of &${node.source}`,
      'give the pin its own value, or edit the anchored value by hand',
    );
  }
  if (!isScalar(node) || node.range === undefined || node.range === null) {
    fail(file, where(node), `${formatPath(path)} is not a scalar value`, 'point the edit at a single value');
  }
  if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) {
    fail(file, where(node), `${formatPath(path)} is a block scalar`, 'write the pin as a single-line value');
  }
  if (node.commentBefore) comments.push(node.commentBefore);
  if (node.comment) comments.push(node.comment);
  return { node, comments };
}

/** Whether the scalar's own line carries the hold marker after the value. */
/** The value as written: plain scalars keep their text (`1.20`, not the float 1.2). */
function written(text: string, node: Scalar): string {
  const [start, end] = node.range as [number, number, number];
  return node.type === Scalar.PLAIN ? text.slice(start, end) : String(node.value ?? '');
}

function heldOnLine(text: string, end: number): boolean {
  const eol = text.indexOf('\n', end);
  return HOLD_MARKER.test(text.slice(end, eol === -1 ? undefined : eol));
}

export class HeldPinError extends IdlcError {}

/** The current value at `path` (a string), with its line and whether it is held. */
export function readScalar(
  text: string,
  path: PathSegment[],
  file: string,
): { value: string; line: number; held: boolean } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    fail(
      file,
      e ? lines.linePos(e.pos[0]).line : undefined,
      `invalid YAML: ${e?.message.split('\n')[0]}`,
      'fix the YAML syntax',
    );
  }
  const { node, comments } = locate(doc.contents, path, file, lines);
  const [start, end] = node.range as [number, number, number];
  return {
    value: written(text, node),
    line: lines.linePos(start).line,
    held: comments.some((c) => HOLD_MARKER.test(`#${c}`)) || heldOnLine(text, end),
  };
}

/**
 * Apply scalar edits to `text`. Edits whose value is already there are no-ops; a held scalar
 * that would change is refused (HeldPinError) and nothing is applied.
 */
export function editScalars(text: string, edits: ScalarEdit[], file: string): EditResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    fail(
      file,
      e ? lines.linePos(e.pos[0]).line : undefined,
      `invalid YAML: ${e?.message.split('\n')[0]}`,
      'fix the YAML syntax',
    );
  }
  const splices: { start: number; end: number; text: string; edit: AppliedEdit }[] = [];
  for (const edit of edits) {
    const { node, comments } = locate(doc.contents, edit.path, file, lines);
    const [start, end] = node.range as [number, number, number];
    const old = written(text, node);
    if (old === edit.value && typeof node.value === 'string') continue;
    const line = lines.linePos(start).line;
    if (comments.some((c) => HOLD_MARKER.test(`#${c}`)) || heldOnLine(text, end)) {
      throw new HeldPinError({
        file,
        line,
        field: formatPath(edit.path),
        message: `held at ${old} (marked "# idlc: hold"); automation does not change it to ${edit.value}`,
        fix: 'remove the "# idlc: hold" comment by hand (a reviewed PR) when the hold is over',
      });
    }
    if (splices.some((s) => s.start === start)) continue;
    splices.push({
      start,
      end,
      text: renderScalar(edit.value, node.type),
      edit: { path: formatPath(edit.path), old, new: edit.value, line },
    });
  }
  splices.sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of splices) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return { text: out, changed: splices.length > 0, edits: splices.map((s) => s.edit).reverse() };
}
