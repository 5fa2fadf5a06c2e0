import { IdlcError } from '../util/errors.ts';

/** HCL as JSON, in hcl2json's shape: blocks are arrays of bodies keyed by labels. */
export type HclJson = Record<string, unknown>;

const POSITION = /^(?:parse config: \[)?([^:\]]+):(\d+),(\d+)(?:-[\d,]+)?: (.*?)\]?$/s;

/**
 * Parse one .tf/.tofu file with HashiCorp's HCL parser (compiled to wasm). A syntax error
 * becomes an IdlcError with file:line so callers never mistake it for "nothing here".
 */
export async function parseHcl(file: string, text: string): Promise<HclJson> {
  try {
    // Loaded on first use: the wasm parser costs ~150 ms to start, and many commands never parse HCL.
    const { parse } = await import('@cdktf/hcl2json');
    return (await parse(file, text)) as HclJson;
  } catch (err) {
    const raw = String(err instanceof Error ? err.message : err);
    const first = raw.replace(/^Error: /, '').split('\n')[0] ?? raw;
    const m = POSITION.exec(first);
    throw new IdlcError({
      file,
      line: m ? Number(m[2]) : undefined,
      column: m ? Number(m[3]) : undefined,
      message: `invalid HCL: ${m ? m[4] : first}`,
      fix: 'fix the syntax (tofu fmt and tofu validate show the same error)',
    });
  }
}

/** Labelled blocks of a kind, flattened: [{ labels: ['aws'], body }]. */
export function blocks(doc: HclJson, kind: string): { labels: string[]; body: Record<string, unknown> }[] {
  const out: { labels: string[]; body: Record<string, unknown> }[] = [];
  const walk = (node: unknown, labels: string[]) => {
    if (Array.isArray(node)) {
      for (const b of node) out.push({ labels, body: (b ?? {}) as Record<string, unknown> });
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, [...labels, k]);
    }
  };
  const root = doc[kind];
  if (kind === 'terraform') walk(root, []);
  else if (root && typeof root === 'object') for (const [k, v] of Object.entries(root)) walk(v, [k]);
  return out;
}

let warmed = false;

/**
 * Start the wasm parser now, without waiting: its ~150 ms start then overlaps the git and
 * file I/O that comes first in change detection instead of adding to it.
 */
export function warmUpHcl(): void {
  if (warmed) return;
  warmed = true;
  void import('@cdktf/hcl2json')
    .then(({ parse }) => parse('warm-up.tf', 'module "m" {\n  source = "./m"\n}\n'))
    .catch(() => undefined);
}
