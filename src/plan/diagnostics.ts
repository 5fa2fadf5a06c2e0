/**
 * Errors of a failed plan, from whichever form the engine captured: the `-json` log
 * (one JSON object per line, `type: "diagnostic"`), or the human stderr text.
 */

export interface PlanDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  /** Resource address the diagnostic is about, when known. */
  address?: string;
  /** file:line in the stack, when known. */
  location?: string;
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const MAX_DIAGNOSTICS = 50;

interface JsonDiagnostic {
  severity?: string;
  summary?: string;
  detail?: string;
  address?: string;
  range?: { filename?: string; start?: { line?: number } };
}

function fromJsonLog(lines: string[]): PlanDiagnostic[] | undefined {
  const out: PlanDiagnostic[] = [];
  let sawJson = false;
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    let entry: { type?: string; diagnostic?: JsonDiagnostic };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    sawJson = true;
    const d = entry.diagnostic;
    if (entry.type !== 'diagnostic' || !d || (d.severity !== 'error' && d.severity !== 'warning')) continue;
    const loc = d.range?.filename ? `${d.range.filename}:${d.range.start?.line ?? 0}` : undefined;
    out.push({
      severity: d.severity,
      summary: d.summary ?? 'error',
      ...(d.detail ? { detail: d.detail } : {}),
      ...(d.address ? { address: d.address } : {}),
      ...(loc ? { location: loc } : {}),
    });
  }
  return sawJson ? out : undefined;
}

/** `Error: summary` blocks of the human output, each up to the next block. */
function fromText(lines: string[]): PlanDiagnostic[] {
  const out: PlanDiagnostic[] = [];
  let cur: { d: PlanDiagnostic; body: string[] } | undefined;
  const flush = () => {
    if (!cur) return;
    const body = cur.body.join('\n').trim();
    const on = /^\s*on (\S+) line (\d+)/m.exec(body);
    if (on) cur.d.location = `${on[1]}:${on[2]}`;
    if (body) cur.d.detail = body;
    out.push(cur.d);
    cur = undefined;
  };
  let previous = '';
  for (const raw of lines) {
    const boxed = /^[│╷╵]/.test(raw);
    const line = raw.replace(/^[│╷╵]\s?/, '');
    // a block starts after a blank line (or its box); "Error: …" straight after text is part
    // of that text, e.g. a provider quoting its own error inside the detail
    const m = !cur || previous.trim() === '' || boxed ? /^(Error|Warning): (.*)$/.exec(line) : null;
    previous = line;
    if (m) {
      flush();
      cur = { d: { severity: m[1] === 'Error' ? 'error' : 'warning', summary: m[2] ?? '' }, body: [] };
    } else if (cur) {
      cur.body.push(line);
    }
  }
  flush();
  return out;
}

/**
 * Parse captured plan output into diagnostics (errors first). Unrecognised text becomes one
 * error carrying the text, so a failure is never reported without its reason.
 */
export function parsePlanDiagnostics(output: string): PlanDiagnostic[] {
  const lines = output.replace(ANSI, '').replace(/\r\n/g, '\n').split('\n');
  let list = fromJsonLog(lines) ?? fromText(lines);
  if (list.length === 0 && output.trim() !== '') {
    list = [{ severity: 'error', summary: 'plan failed', detail: output.replace(ANSI, '').trim() }];
  }
  const rank = (d: PlanDiagnostic) => (d.severity === 'error' ? 0 : 1);
  return list.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_DIAGNOSTICS);
}
