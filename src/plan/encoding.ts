/**
 * Plan JSON is UTF-8 (`tofu show -json` writes nothing else). Files that reach the CLI were
 * sometimes re-encoded on the way — Windows PowerShell's `>` writes UTF-16 LE with a byte order
 * mark — or are not JSON at all (the binary plan file, a zip). JSON.parse on such input fails
 * with a message that echoes the raw bytes (NULs included), which says nothing useful and
 * corrupts terminals and job logs. So the bytes are checked first, and the error names the
 * encoding found and the command that writes the file correctly. Raw content is never echoed:
 * at most a few bytes, in hex.
 */
import { UsageError } from '../util/errors.ts';

const FIX =
  'write the plan JSON from a UTF-8 shell: `tofu show -json plan.tfplan > plan.json` ' +
  "(Windows PowerShell's `>` writes UTF-16; there use `tofu show -json plan.tfplan | Set-Content -Encoding utf8 plan.json`)";

const hex = (bytes: Uint8Array, from: number, count: number) =>
  [...bytes.subarray(from, from + count)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

/** The encoding a non-UTF-8 document is in, when it can be told from its first bytes. */
function sniff(b: Uint8Array): string | undefined {
  const at = (i: number) => b[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xfe && at(2) === 0 && at(3) === 0)
    return 'UTF-32 LE (byte order mark FF FE 00 00)';
  if (at(0) === 0 && at(1) === 0 && at(2) === 0xfe && at(3) === 0xff)
    return 'UTF-32 BE (byte order mark 00 00 FE FF)';
  if (at(0) === 0xff && at(1) === 0xfe) return 'UTF-16 LE (byte order mark FF FE)';
  if (at(0) === 0xfe && at(1) === 0xff) return 'UTF-16 BE (byte order mark FE FF)';
  // JSON starts with ASCII ("{" or whitespace): every other byte NUL is UTF-16 without a mark
  if (b.length >= 4 && at(0) !== 0 && at(1) === 0 && at(2) !== 0 && at(3) === 0)
    return 'UTF-16 LE (no byte order mark)';
  if (b.length >= 4 && at(0) === 0 && at(1) !== 0 && at(2) === 0 && at(3) !== 0)
    return 'UTF-16 BE (no byte order mark)';
  return undefined;
}

/**
 * Decode a plan JSON file's bytes as UTF-8, or throw a UsageError that names the encoding (or
 * the first bad byte) and the fix. A UTF-8 byte order mark is accepted and dropped.
 */
export function decodePlanBytes(bytes: Uint8Array, name = 'the plan JSON'): string {
  const encoding = sniff(bytes);
  if (encoding) {
    throw new UsageError(`${name} is ${encoding} text, not UTF-8; plan JSON must be UTF-8`, FIX);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw new UsageError(
      `${name} is a zip archive (a binary plan file), not the JSON that \`tofu show -json\` prints`,
      FIX,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new UsageError(
      `${name} has a NUL byte at offset ${nul}, so it is not UTF-8 JSON text (binary data, or a UTF-16/UTF-32 file cut or concatenated)`,
      FIX,
    );
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    const at = firstInvalidUtf8(bytes, start);
    throw new UsageError(
      `${name} is not valid UTF-8: the byte at offset ${at} (${hex(bytes, at, 1)}) starts no UTF-8 character (a Latin-1 or Windows-1252 file?)`,
      FIX,
    );
  }
}

/**
 * The same checks for a document that was already decoded (as UTF-8, with replacement
 * characters for bad bytes): NULs or a leading mark mean it was never UTF-8 JSON.
 */
export function assertPlanText(text: string, name = 'the plan JSON'): string {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.startsWith('\ufffd\ufffd') || body.includes('\u0000')) {
    throw new UsageError(
      `${name} contains NUL characters or starts with bytes that are not UTF-8: it looks like UTF-16 text, not UTF-8; plan JSON must be UTF-8`,
      FIX,
    );
  }
  return body;
}

/** JSON.parse's message without the snippet of input it quotes (which may be any bytes). */
export function parseErrorMessage(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const cleaned = message.replace(/, "[\s\S]*" is not valid JSON$/, ' (not valid JSON)');
  // what is left is Node's own text; keep it printable
  return cleaned.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function firstInvalidUtf8(b: Uint8Array, from: number): number {
  let i = from;
  while (i < b.length) {
    const c = b[i] as number;
    const n =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return from;
}
