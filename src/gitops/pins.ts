/**
 * Pins: what an app's env overlay fixes about what runs — image tags and digests
 * (kustomization `images`) and chart versions (kustomization `helmCharts`). Reading them,
 * and turning a requested change into scalar edits of that one file.
 */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { IdlcError, UsageError } from '../util/errors.ts';
import { type EditResult, editScalars, type PathSegment, readScalar, type ScalarEdit } from './yaml-edit.ts';

export type PinField = 'newTag' | 'digest' | 'version';

export interface Pin {
  kind: 'image' | 'chart';
  /** The images[].name or helmCharts[].name the pin is found by. */
  name: string;
  /** image: newTag and/or digest; chart: version. Only fields present in the file. */
  fields: Partial<Record<PinField, string>>;
  /** image: newName (the registry/repository this env pulls from). */
  newName?: string;
  held: boolean;
  line: number;
}

/** What an update asks for: an image tag and/or digest, or a chart version. */
export type PinRequest =
  | { kind: 'image'; name: string; tag?: string; digest?: string }
  | { kind: 'chart'; name: string; version: string };

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function pinPath(kind: Pin['kind'], name: string, field: PinField): PathSegment[] {
  return [kind === 'image' ? 'images' : 'helmCharts', { key: 'name', equals: name }, field];
}

/** Every pin of a kustomization.yaml. */
export function readPins(text: string, file: string): Pin[] {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new IdlcError({
      file,
      message: `invalid YAML: ${doc.errors[0]?.message.split('\n')[0]}`,
      fix: 'fix the YAML syntax',
    });
  }
  const out: Pin[] = [];
  for (const [key, kind, fields] of [
    ['images', 'image', ['newTag', 'digest']],
    ['helmCharts', 'chart', ['version']],
  ] as const) {
    const list = isMap(doc.contents) ? doc.contents.get(key, true) : undefined;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (!isMap(item)) continue;
      const name = item.get('name', true);
      if (!isScalar(name)) continue;
      const pin: Pin = { kind, name: String(name.value), fields: {}, held: false, line: 0 };
      for (const f of fields) {
        if (!item.has(f)) continue;
        const r = readScalar(text, pinPath(kind, pin.name, f), file);
        pin.fields[f] = r.value;
        pin.held ||= r.held;
        pin.line ||= r.line;
      }
      const newName = item.get('newName');
      if (typeof newName === 'string') pin.newName = newName;
      if (Object.keys(pin.fields).length > 0) out.push(pin);
    }
  }
  return out;
}

/** Check a request's values before they go near a file. */
export function verifyPinRequest(req: PinRequest): void {
  if (req.kind === 'chart') {
    if (!/^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(req.version))
      throw new UsageError(
        `chart version "${req.version}" is not an exact semver version`,
        'pass a version such as 1.19.1',
      );
    return;
  }
  if (req.tag === undefined && req.digest === undefined)
    throw new UsageError(`image ${req.name}: no tag and no digest given`, 'pass tag, digest or both');
  if (req.tag !== undefined && (!TAG.test(req.tag) || req.tag === 'latest'))
    throw new UsageError(
      `image tag "${req.tag}" is not an immutable tag`,
      'use a version tag such as 1.4.2 (never latest)',
    );
  if (req.digest !== undefined && !DIGEST.test(req.digest))
    throw new UsageError(
      `image digest "${req.digest}" is not sha256:<64 hex>`,
      'pass the digest the registry returned on push',
    );
}

/** Scalar edits that make the file's pin match the request; only fields the file has. */
export function editsFor(pins: Pin[], req: PinRequest, file: string): ScalarEdit[] {
  const pin = pins.find((p) => p.kind === req.kind && p.name === req.name);
  if (!pin) {
    const known = pins.filter((p) => p.kind === req.kind).map((p) => p.name);
    throw new IdlcError({
      file,
      field: req.kind === 'image' ? 'images' : 'helmCharts',
      message: `no ${req.kind} named "${req.name}" is pinned here${known.length ? ` (pinned: ${known.join(', ')})` : ''}`,
      fix: `pass one of the pinned names, or add the ${req.kind === 'image' ? 'images' : 'helmCharts'} entry by hand in a reviewed PR`,
    });
  }
  if (req.kind === 'chart') return [{ path: pinPath('chart', req.name, 'version'), value: req.version }];
  const edits: ScalarEdit[] = [];
  for (const [field, value] of [
    ['newTag', req.tag],
    ['digest', req.digest],
  ] as const) {
    if (pin.fields[field] === undefined) continue;
    if (value === undefined) {
      throw new IdlcError({
        file,
        line: pin.line,
        field: `images[name=${req.name}].${field}`,
        message: `this env pins ${req.name} by ${field === 'digest' ? 'digest' : 'tag'}, and the update gives no ${field === 'digest' ? 'digest' : 'tag'}`,
        fix: `pass the ${field === 'digest' ? 'digest (sha256:…)' : 'tag'} too`,
      });
    }
    edits.push({ path: pinPath('image', req.name, field), value });
  }
  return edits;
}

/** Apply one request to a kustomization file's text. */
export function applyPinRequest(text: string, req: PinRequest, file: string): EditResult {
  verifyPinRequest(req);
  return editScalars(text, editsFor(readPins(text, file), req, file), file);
}

/** Short form of a pin value for commit headlines: tags as is, digests as sha256:<12 hex>. */
export function shortPin(value: string): string {
  return DIGEST.test(value) ? value.slice(0, 19) : value;
}

/** The value of a pin that identifies it best (digest over tag). */
export function pinValue(pin: Pick<Pin, 'fields'>): string {
  return pin.fields.digest ?? pin.fields.newTag ?? pin.fields.version ?? '';
}
