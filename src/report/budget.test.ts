import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, chars, fitPieces } from './budget.ts';

const more = (n: number) => `+${n}`;

describe('fitPieces', () => {
  it('returns every piece only when all of them fit the allowance', () => {
    // joined: "aaaa\nbbbb\ncccc" is 14 characters
    expect(fitPieces(['aaaa', 'bbbb', 'cccc'], 14, chars, more)).toEqual({
      text: 'aaaa\nbbbb\ncccc',
      shown: 3,
    });
  });

  it('cuts what fits in twice the allowance but not in the allowance, keeping room for the note', () => {
    expect(fitPieces(['aaaa', 'bbbb', 'cccc'], 13, chars, more)).toEqual({
      text: 'aaaa\nbbbb\n+1',
      shown: 2,
    });
    expect(fitPieces(['aaaa', 'bbbb', 'cccc'], 10, chars, more)).toEqual({ text: 'aaaa\n+2', shown: 1 });
    expect(fitPieces(['aaaa', 'bbbb', 'cccc'], 7, chars, more)).toEqual({ text: 'aaaa\n+2', shown: 1 });
    expect(fitPieces(['aaaa', 'bbbb', 'cccc'], 6, chars, more)).toEqual({ text: '+3', shown: 0 });
    expect(fitPieces(['aaaa', 'bbbb', 'cccc'], 1, chars, more)).toEqual({ text: '', shown: 0 });
  });

  it('measures in the unit it is given (UTF-16 units: "🔴" is 2; bytes: "é" is 2, "🔴" is 4)', () => {
    expect(fitPieces(['é', '🔴'], 4, chars, more)).toEqual({ text: 'é\n🔴', shown: 2 });
    expect(fitPieces(['é', '🔴'], 6, bytes, more)).toEqual({ text: 'é\n+1', shown: 1 });
  });

  it('is never longer than the allowance and keeps pieces whole, for any pieces and allowance', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 600 }),
        (pieces, allowance) => {
          const { text, shown } = fitPieces(pieces, allowance, chars, (n) => `… ${n} more`);
          expect(text.length).toBeLessThanOrEqual(allowance);
          if (shown === pieces.length) expect(text).toBe(pieces.join('\n'));
          else if (shown > 0) expect(text.startsWith(`${pieces.slice(0, shown).join('\n')}\n`)).toBe(true);
        },
      ),
    );
  });
});
