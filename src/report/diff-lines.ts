/**
 * A plan model rendered as the lines of a ```diff block, the way reviewers read tofu output:
 * one header per resource (what happens and why), then `-`/`+` lines per changed attribute.
 * Values are already masked by the plan model; these lines go inside a fence, where GitHub
 * renders nothing (no HTML, no mentions), so they are not escaped beyond control characters.
 */
import type { OutputChange, ResourceChange } from '../plan/model.ts';

export interface DiffDetail {
  /** Attribute lines per resource before "… n more attributes" (0: headers only). */
  attributeLines: number;
  /** Longest value shown; longer ones are cut with an ellipsis. */
  valueChars: number;
}

const VERB: Record<ResourceChange['action'], string> = {
  create: 'create',
  update: 'update in place',
  delete: 'destroy',
  replace: 'replace',
  read: 'read during apply',
  'no-op': 'no change',
  forget: 'forget (removed from state, not destroyed)',
  other: 'other',
};

const SYMBOL: Record<ResourceChange['action'], string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  'no-op': ' ',
  forget: '.',
  other: '?',
};

function clipValue(v: string, max: number): string {
  return v.length <= max ? v : `${v.slice(0, max)}…`;
}

export function resourceHeader(r: ResourceChange, drift = false): string {
  const notes: string[] = [];
  if (drift) {
    notes.push(r.action === 'delete' ? 'deleted outside OpenTofu' : `changed outside OpenTofu (${r.action})`);
  } else {
    let verb = VERB[r.action];
    // an action list this version does not know: say it in the engine's own words
    if (r.action === 'other') verb = `other: ${r.actions.join(', ') || '(no action)'}`;
    if (r.action === 'replace') {
      verb = r.actions[0] === 'create' ? 'replace (create before destroy)' : 'replace (destroy, then create)';
    }
    if (r.action !== 'no-op' || (!r.previousAddress && !r.importing)) notes.push(verb);
  }
  if (r.previousAddress) notes.push(`moved from ${r.previousAddress}`);
  if (r.importing) notes.push(r.importing.id ? `import id ${JSON.stringify(r.importing.id)}` : 'import');
  if (r.deposed) notes.push(`deposed object ${r.deposed}`);
  const sym = drift ? '!' : r.action === 'replace' && r.actions[0] === 'create' ? '+/-' : SYMBOL[r.action];
  return `${sym} ${r.address}  # ${notes.join('; ')}`;
}

/** Header plus attribute lines for one resource. */
export function resourceLines(r: ResourceChange, detail: DiffDetail, drift = false): string[] {
  const lines = [resourceHeader(r, drift)];
  // a destroyed object's attributes are all going; listing them helps nobody
  if (detail.attributeLines === 0 || (r.action === 'delete' && !drift) || r.action === 'read') return lines;
  const shown = r.attributes.slice(0, detail.attributeLines);
  for (const a of shown) {
    const note = a.forcesReplacement ? '  # forces replacement' : '';
    if (a.before !== undefined)
      lines.push(`-     ${a.path} = ${clipValue(a.before, detail.valueChars)}${note}`);
    if (a.after !== undefined)
      lines.push(`+     ${a.path} = ${clipValue(a.after, detail.valueChars)}${note}`);
  }
  const more = r.attributes.length - shown.length + (r.attributesOmitted ?? 0);
  if (more > 0) lines.push(`      # … ${more} more attribute${more === 1 ? '' : 's'}`);
  return lines;
}

export function outputLines(o: OutputChange, detail: DiffDetail): string[] {
  const sym = o.action === 'create' ? '+' : o.action === 'delete' ? '-' : '~';
  const lines = [`${sym} output.${o.name}  # ${VERB[o.action as ResourceChange['action']] ?? o.action}`];
  if (detail.attributeLines === 0) return lines;
  if (o.before !== undefined) lines.push(`-     ${clipValue(o.before, detail.valueChars)}`);
  if (o.after !== undefined) lines.push(`+     ${clipValue(o.after, detail.valueChars)}`);
  return lines;
}
