/**
 * Making text that comes from plans, policies and engine errors inert in GitHub markdown.
 * Resource names are attacker-controlled in a PR (a for_each key can be any string), so none
 * of it may open or close HTML, start code, emphasis or links, break a table, ping people
 * (@org/team) or link issues (#123).
 *
 *   code(s)   inline: <code> with every markdown/HTML-significant character as an entity.
 *             GitHub does not turn @name or #123 inside code into mentions or links.
 *   text(s)   prose: the same entities, plus a zero-width joiner after `@` and `#` so GitHub's
 *             mention and issue-reference filters, which run on the rendered text, see nothing.
 *   fence(s)  a fenced block whose fence is longer than any backtick run inside it.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
  '\\': '&#92;',
  '~': '&#126;',
  '!': '&#33;',
  $: '&#36;',
};
const SPECIAL = /[&<>"'`*_[\]|\\~!$]/g;
/** C0/C1 controls (not tab/newline) and bidi overrides that could reorder what reviewers see. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const ZWJ = '\u200d';

export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '\ufffd');
}

/** Entities for everything markdown or HTML would act on; newlines folded to spaces. */
export function entities(s: string): string {
  return stripInvisible(s)
    .replace(/\r?\n/g, ' ')
    .replace(SPECIAL, (c) => ENTITIES[c] ?? c);
}

/**
 * A job-summary table cell: `core.summary.addTable` writes cells into raw HTML, so every cell
 * that can carry plan content, stack names or engine errors goes through this.
 */
export function escapeTableCell(s: string): string {
  return entities(s);
}

/** Inline code, safe in table cells and <summary>. */
export function code(s: string): string {
  return `<code>${entities(s)}</code>`;
}

/** Inline prose: entities plus a zero-width joiner after @ and # (mentions, issue links). */
export function text(s: string): string {
  return entities(s.replace(/([@#])/g, `$1${ZWJ}`));
}

/** Attribute value for href="…": only http(s) URLs are linked. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.toString().replace(/&/g, '&amp;').replace(/"/g, '%22').replace(/</g, '%3C').replace(/>/g, '%3E');
  } catch {
    return undefined;
  }
}

export function link(label: string, url: string | undefined): string {
  const href = safeUrl(url);
  return href ? `<a href="${href}">${label}</a>` : '';
}

/** The body of a fenced code block: control characters removed, nothing else changes. */
export function fenceBody(lines: string[]): string {
  return lines.map((l) => stripInvisible(l.replace(/\r\n?/g, '\n'))).join('\n');
}

/** A fenced block (```lang … ```) that no backtick run in `body` can close early. */
export function fence(body: string, lang = ''): string {
  let longest = 0;
  for (const m of body.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${lang}\n${body}\n${ticks}`;
}

/** Length of the fence `fence()` would add around `body` (for budgeting). */
export function fenceOverhead(body: string, lang = ''): number {
  return fence(body, lang).length - body.length;
}
