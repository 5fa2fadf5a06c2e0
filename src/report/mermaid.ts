/**
 * A mermaid flowchart of the affected stacks by wave (GitHub renders ```mermaid blocks):
 * one subgraph per wave, waves chained in apply order, stacks coloured by result, and the
 * stacks without changes folded into one node per wave so large plans stay readable.
 */

import { stripInvisible } from './escape.ts';
import type { StackResult } from './results.ts';
import { resultText } from './stack-section.ts';

/** Mermaid label text: quotes and angle brackets as mermaid entities, no line breaks. */
function label(s: string): string {
  return stripInvisible(s)
    .replace(/[\r\n]+/g, ' ')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;');
}

const CLASS: Record<string, string> = {
  error: 'error',
  denied: 'denied',
  destructive: 'destructive',
  changes: 'changes',
  'no-changes': 'nochange',
};

function classOf(r: StackResult): string {
  if (r.status === 'changes' && r.model?.destructive) return CLASS['destructive'] as string;
  return CLASS[r.status] ?? 'changes';
}

/** The graph source (without the fence), or '' when there is nothing to draw. */
export function waveGraph(results: StackResult[], maxNodes = 80): string {
  if (results.length === 0) return '';
  const waves = [...new Set(results.map((r) => r.wave))].sort((a, b) => a - b);
  const lines = ['flowchart LR'];
  let nodes = 0;
  let id = 0;
  for (const w of waves) {
    const inWave = results.filter((r) => r.wave === w).sort((a, b) => a.stack.id.localeCompare(b.stack.id));
    const affected = inWave.filter((r) => r.status !== 'no-changes');
    const unchanged = inWave.length - affected.length;
    lines.push(`  subgraph w${w}["Wave ${w}"]`);
    const room = Math.max(0, maxNodes - nodes);
    for (const r of affected.slice(0, room)) {
      lines.push(`    s${id++}["${label(r.stack.id)}<br/>${label(resultText(r))}"]:::${classOf(r)}`);
      nodes++;
    }
    const folded = affected.length - Math.min(affected.length, room);
    if (folded > 0) lines.push(`    w${w}more["${folded} more affected"]:::changes`);
    if (unchanged > 0) lines.push(`    w${w}same["${unchanged} without changes"]:::nochange`);
    lines.push('  end');
  }
  for (let i = 1; i < waves.length; i++) lines.push(`  w${waves[i - 1]} --> w${waves[i]}`);
  lines.push(
    '  classDef changes fill:#fff8c5,stroke:#9a6700,color:#1f2328',
    '  classDef destructive fill:#ffebe9,stroke:#cf222e,color:#1f2328',
    '  classDef denied fill:#ffebe9,stroke:#82071e,color:#1f2328,stroke-width:2px',
    '  classDef error fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-dasharray:4 2',
    '  classDef nochange fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
  );
  return lines.join('\n');
}
