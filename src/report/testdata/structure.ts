// Structural checks on rendered markdown, parsed with mdast-util-from-markdown (CommonMark,
// as GitHub's parser starts from): <details> balanced and never closed early, every fenced
// block closed, only the HTML tags the renderer writes, no live @mention or #ref outside
// code, no bare URL GitHub would autolink (in text or inside a raw <code> tag; fences and
// href attributes are fine), and no invisible character anywhere (controls, bidi, zero-width,
// tag characters, U+2028/9) except the joiner the renderer puts after @ and #.
// Used by the renderer's tests; not shipped.
import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';

export interface StructureReport {
  problems: string[];
  fences: number;
  details: number;
}

const ALLOWED_TAGS = new Set(['details', 'summary', 'code', 'a', 'sub', 'br']);
const TAG = /<\/?([A-Za-z][A-Za-z0-9-]*)\b[^>]*>|<!--[\s\S]*?-->/g;
const MENTION = /(^|[^\w`])@[A-Za-z0-9]/;
const ISSUE_REF = /(^|[^\w&])#\d/;
const AUTOLINK = /https?:\/\/|www\.|mailto:|xmpp:/i;
const INVISIBLE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/u;

function decode(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function checkStructure(md: string): StructureReport {
  const tree: Root = fromMarkdown(md);
  const problems: string[] = [];
  let depth = 0;
  let details = 0;
  let fences = 0;
  let codeDepth = 0;

  const html = (value: string, where: string) => {
    let last = 0;
    for (const m of value.matchAll(TAG)) {
      textOutsideCode(value.slice(last, m.index), where);
      last = (m.index ?? 0) + m[0].length;
      if (m[0].startsWith('<!--')) continue;
      const name = (m[1] ?? '').toLowerCase();
      const closing = m[0].startsWith('</');
      if (!ALLOWED_TAGS.has(name)) problems.push(`${where}: unexpected HTML tag ${JSON.stringify(m[0])}`);
      if (name === 'details') {
        depth += closing ? -1 : 1;
        if (!closing) details++;
        if (depth < 0) problems.push(`${where}: </details> closes nothing`);
        if (!closing && /\bopen\b/.test(m[0])) problems.push(`${where}: a <details open> was injected`);
      }
      if (name === 'code') codeDepth = Math.max(0, codeDepth + (closing ? -1 : 1));
    }
    textOutsideCode(value.slice(last), where);
  };

  const textOutsideCode = (value: string, where: string) => {
    const plain = decode(value);
    // GitHub autolinks inside a raw <code> tag too
    if (AUTOLINK.test(plain)) problems.push(`${where}: bare URL would be autolinked: ${JSON.stringify(plain.slice(0, 80))}`);
    if (codeDepth > 0) return;
    if (MENTION.test(plain)) problems.push(`${where}: live @mention in ${JSON.stringify(plain.slice(0, 80))}`);
    if (ISSUE_REF.test(plain)) problems.push(`${where}: live #reference in ${JSON.stringify(plain.slice(0, 80))}`);
  };

  const walk = (node: Nodes) => {
    const where = `line ${node.position?.start.line ?? '?'}`;
    switch (node.type) {
      case 'html':
        html(node.value, where);
        return;
      case 'code': {
        fences++;
        const start = node.position?.start.offset ?? 0;
        const end = node.position?.end.offset ?? md.length;
        const lines = md.slice(start, end).split('\n');
        const open = /^ {0,3}(`{3,}|~{3,})/.exec(lines[0] ?? '')?.[1];
        const close = lines.length > 1 ? (lines.at(-1) ?? '').trim() : '';
        if (open && !(close.startsWith(open[0] as string) && close.length >= open.length && /^(`+|~+)$/.test(close))) {
          problems.push(`${where}: fenced block opened with ${open} is never closed`);
        }
        return;
      }
      case 'inlineCode':
        return;
      case 'text':
        textOutsideCode(node.value, where);
        return;
      default:
        if ('children' in node) for (const c of node.children as Nodes[]) walk(c);
    }
  };
  walk(tree);
  const invisible = INVISIBLE.exec(md.replace(/([@#])\u200d/g, '$1'));
  if (invisible) {
    problems.push(`invisible character U+${(invisible[0].codePointAt(0) ?? 0).toString(16).toUpperCase()} at ${invisible.index}`);
  }
  if (depth !== 0) problems.push(`<details> left open: depth ${depth} at the end`);
  return { problems, fences, details };
}
