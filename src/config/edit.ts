/**
 * Edits of the registry text (idlc.yaml) that keep what people wrote: comments, blank lines,
 * key order and flow style stay byte for byte; only the edited entry changes. Reading and
 * validating the registry is load.ts; anything that writes idlc.yaml goes through here.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';

/**
 * Add teams.<name> to the registry text. The new entry is built with the yaml Document API and
 * spliced in after the last team, so every existing byte - comments, blank lines, flow style -
 * stays as it was and the diff shows only the new team.
 */
export function addTeamToRegistry(text: string, name: string, entry: Record<string, unknown>): string {
  const doc = parseDocument(text);
  const teams = doc.get('teams', true);
  const snippetDoc = new Document({ [name]: entry });
  const team = snippetDoc.get(name, true) as YAMLMap;
  const owners = team.get('owners', true);
  if (isSeq(owners)) owners.flow = true;
  const envs = team.get('envs', true);
  if (isMap(envs)) for (const p of envs.items) if (isMap(p.value)) p.value.flow = true;

  if (!isMap(teams) || teams.flow || teams.items.length === 0 || !teams.range) {
    // Unusual layouts: let the Document API place it (comments are kept, spacing may move).
    if (isMap(teams)) teams.set(name, team);
    else doc.set('teams', snippetDoc.contents);
    return doc.toString();
  }
  const first = teams.items[0]?.key;
  const indent =
    isScalar(first) && first.range ? first.range[0] - text.lastIndexOf('\n', first.range[0] - 1) - 1 : 2;
  const rendered = snippetDoc
    .toString({ indent: 2, flowCollectionPadding: true })
    .trimEnd()
    .split('\n')
    // Sequences are written compactly in idlc.yaml (["@acme/search"]), maps padded ({ aws: ... }).
    .map((line) => ' '.repeat(indent) + line.replace(/\[ (.*) \]$/, '[$1]'))
    .join('\n');
  const end = teams.range[1];
  const before = text.slice(0, end).replace(/\n*$/, '\n');
  const after = text.slice(end);
  return `${before}\n${rendered}\n${after.startsWith('\n') || after === '' ? after : `\n${after}`}`;
}
