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
 *
 * Everywhere, characters a reviewer cannot see are replaced with U+FFFD before anything else:
 * controls, bidi controls (which reorder what is shown), zero-width characters and Unicode
 * tag characters (which hide text, e.g. instructions, inside an innocent-looking name), and
 * the line/paragraph separators U+2028/U+2029. Bare URLs are broken (`https[:]//`,
 * `www[.]`, `mailto[:]`): GFM's autolink extension links `http://`, `https://`, `www.`,
 * `mailto:` and `xmpp:` anywhere in text, including inside a raw `<code>` tag, and plan
 * content must not become a link a reviewer might follow. Email addresses are already
 * broken by the joiner after `@`.
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
/**
 * What a reviewer cannot see: C0/C1 controls (not tab/newline); bidi marks, embeddings,
 * overrides and isolates (U+061C, U+200E/F, U+202A–E, U+2066–9); zero-width and invisible
 * characters (U+00AD, U+180E, U+200B–D, U+2060–4, U+FEFF); Unicode tag characters
 * (U+E0000–E007F); line and paragraph separators (U+2028/9).
 */
const INVISIBLE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/gu;
const ZWJ = '\u200d';

export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '\ufffd');
}

/** `https://x` → `https[:]//x`, `www.x` → `www[.]x`, `mailto:x` → `mailto[:]x`: no autolink. */
export function breakAutolinks(s: string): string {
  return s
    .replace(/(https?|ftp)(:\/\/)/gi, (_, scheme: string) => `${scheme}[:]//`)
    .replace(/(mailto|xmpp):/gi, (_, scheme: string) => `${scheme}[:]`)
    .replace(/www\./gi, (w: string) => `${w.slice(0, 3)}[.]`);
}

/** Entities for text already made visible and link-free; newlines folded to spaces. */
function escapeSpecial(s: string): string {
  return s.replace(/\n/g, ' ').replace(SPECIAL, (c) => ENTITIES[c] ?? c);
}

/** Entities for everything markdown or HTML would act on; newlines folded to spaces. */
export function entities(s: string): string {
  return escapeSpecial(breakAutolinks(stripInvisible(s.replace(/\r\n?/g, '\n'))));
}

/** Inline code, safe in table cells and <summary>. */
export function code(s: string): string {
  return `<code>${entities(s)}</code>`;
}

/** Inline prose: entities plus a zero-width joiner after @ and # (mentions, issue links). */
export function text(s: string): string {
  // the joiner is added after the invisible characters are gone, so it is the only one left
  const visible = stripInvisible(s.replace(/\r\n?/g, '\n'));
  return escapeSpecial(breakAutolinks(visible).replace(/([@#])/g, `$1${ZWJ}`));
}

/**
 * A job-summary table cell: `core.summary.addTable` writes cells into raw HTML (`<td>…</td>`),
 * where a pipe, a newline or a tag from plan content, a stack name or an engine error would
 * break the table or inject markup. Cells come out on one line, with HTML and markdown
 * characters as entities, invisible characters replaced, URLs and mentions inert (as text()).
 */
export function escapeTableCell(s: string): string {
  return text(s);
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
