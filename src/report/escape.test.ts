import { describe, expect, it } from 'vitest';
import { code, entities, fence, link, safeUrl, text } from './escape.ts';

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
