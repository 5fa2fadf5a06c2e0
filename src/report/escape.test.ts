import { describe, expect, it } from 'vitest';
import { code, entities, escapeTableCell, fence, fenceBody, link, safeUrl, text } from './escape.ts';

describe('escaping plan-derived text', () => {
  it('turns every markdown and HTML-significant character into an entity, on one line', () => {
    expect(entities('</details>\n`x` *a* _b_ [c](d) |e| ~f~ \\ !g $h')).toBe(
      '&lt;/details&gt; &#96;x&#96; &#42;a&#42; &#95;b&#95; &#91;c&#93;(d) &#124;e&#124; &#126;f&#126; &#92; &#33;g &#36;h',
    );
  });

  it('keeps mentions and issue references in code, and breaks them in prose', () => {
    expect(code('@acme/admins #12')).toBe('<code>@acme/admins #12</code>');
    expect(text('@acme/admins #12')).toBe('@\u200dacme/admins #\u200d12');
    // a ZWJ never lands inside an entity
    expect(text('a_b #1')).toBe('a&#95;b #\u200d1');
  });

  it('removes control characters and bidi overrides', () => {
    expect(entities('a\u202eb\u0007c\u2066d')).toBe('a\ufffdb\ufffdc\ufffdd');
  });

  it('replaces zero-width, tag, bidi and line-separator characters, in prose, code and fences', () => {
    const hidden = 'a\u200bb\u200cc\u200dd\u2060e\ufefff\u{e0049}\u{e0067}g\u200eh\u061ci\u2028j\u2029k';
    const seen = 'a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffd\ufffdg\ufffdh\ufffdi\ufffdj\ufffdk';
    expect(entities(hidden)).toBe(seen);
    expect(code(hidden)).toBe(`<code>${seen}</code>`);
    expect(text(hidden)).toBe(seen);
    expect(fenceBody([hidden])).toBe(seen);
    // the renderer's own joiner after @ and # is the only one left
    expect(text('x\u200d@acme/y #\u200d1')).toBe('x\ufffd@\u200dacme/y #\u200d\ufffd1');
  });

  it('breaks bare URLs GitHub would autolink (http, https, www, mailto, xmpp), any case, also in code', () => {
    expect(
      text('see https://evil.example/x and HTTP://a.b, www.evil.example, mailto:a@b.c, xmpp:c@d.e'),
    ).toBe(
      'see https&#91;:&#93;//evil.example/x and HTTP&#91;:&#93;//a.b, www&#91;.&#93;evil.example, mailto&#91;:&#93;a@\u200db.c, xmpp&#91;:&#93;c@\u200dd.e',
    );
    expect(code('aws_s3_bucket.x["https://evil.example"]')).toBe(
      '<code>aws&#95;s3&#95;bucket.x&#91;&quot;https&#91;:&#93;//evil.example&quot;&#93;</code>',
    );
  });

  it('escapes job-summary table cells: pipes, newlines, HTML, mentions, invisible characters', () => {
    expect(escapeTableCell('a|b\r\nc <script>x</script> @acme/admins #7 \u202eevil https://x.y')).toBe(
      'a&#124;b c &lt;script&gt;x&lt;/script&gt; @\u200dacme/admins #\u200d7 \ufffdevil https&#91;:&#93;//x.y',
    );
  });

  it('makes fences longer than any backtick run inside', () => {
    expect(fence('a ``` b', 'diff')).toBe('````diff\na ``` b\n````');
    expect(fence('plain')).toBe('```\nplain\n```');
  });

  it('links only http(s) URLs, with the attribute quoted safely', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(link('run', 'https://x.example/a?b=1&c="2"')).toBe(
      '<a href="https://x.example/a?b=1&amp;c=%222%22">run</a>',
    );
    expect(link('run', undefined)).toBe('');
  });
});
