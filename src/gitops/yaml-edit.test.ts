import { describe, expect, it } from 'vitest';
import { applyPinRequest, readPins } from './pins.ts';
import { editScalars, HeldPinError, safeAsPlain } from './yaml-edit.ts';

const F = 'sdlc/teams/search/dev/api/kustomization.yaml';

const OVERLAY = `# search/dev/api: the one file automation edits.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: search-dev   # fixed by the platform
resources:
  - ../../base/api

images:
  # the API server
  - name: api
    newName: 200000000001.dkr.ecr.eu-west-1.amazonaws.com/search/api
    newTag: "1.4.2" # bumped by CI

  - name: reranker
    newName: 200000000001.dkr.ecr.eu-west-1.amazonaws.com/search/reranker
    digest: sha256:${'a'.repeat(64)}
`;

describe('golden YAML edits: only the pinned scalar changes', () => {
  it('keeps comments, order, blank lines and the quoting style of the pin', () => {
    const r = applyPinRequest(OVERLAY, { kind: 'image', name: 'api', tag: '1.5.0' }, F);
    expect(r.text).toBe(OVERLAY.replace('newTag: "1.4.2" # bumped by CI', 'newTag: "1.5.0" # bumped by CI'));
    expect(r.edits).toEqual([{ path: 'images[name=api].newTag', old: '1.4.2', new: '1.5.0', line: 13 }]);
  });

  it('edits a digest pin in place and leaves the other entry alone', () => {
    const next = `sha256:${'b'.repeat(64)}`;
    const r = applyPinRequest(OVERLAY, { kind: 'image', name: 'reranker', tag: '2.0.0', digest: next }, F);
    expect(r.text).toBe(OVERLAY.replace(`digest: sha256:${'a'.repeat(64)}`, `digest: ${next}`));
  });

  it('keeps anchors; an aliased pin is refused rather than changing every use of the anchor', () => {
    const text = 'images:\n  - name: api\n    newTag: &ver 1.4.2\nlabels:\n  version: *ver\n';
    expect(
      editScalars(text, [{ path: ['images', { key: 'name', equals: 'api' }, 'newTag'], value: '1.5.0' }], F)
        .text,
    ).toBe('images:\n  - name: api\n    newTag: &ver 1.5.0\nlabels:\n  version: *ver\n');
    const aliased = 'x: &ver 1.4.2\nimages:\n  - name: api\n    newTag: *ver\n';
    expect(() => applyPinRequest(aliased, { kind: 'image', name: 'api', tag: '1.5.0' }, F)).toThrow(
      /images\[name=api\]\.newTag is an alias \(\*ver\)/,
    );
  });

  it('edits inside flow collections without reflowing them', () => {
    const text = 'images: [{name: api, newTag: 1.4.2}, {name: ui, newTag: 3.0.0}]  # flow\n';
    const r = applyPinRequest(text, { kind: 'image', name: 'ui', tag: '3.1.0' }, F);
    expect(r.text).toBe('images: [{name: api, newTag: 1.4.2}, {name: ui, newTag: 3.1.0}]  # flow\n');
  });

  it('quotes values that YAML 1.1 or 1.2 readers would not read back as strings', () => {
    const base = 'images:\n  - name: api\n    newTag: 1.4.2\n';
    const cases: [string, string][] = [
      ['1.20', '"1.20"'],
      ['yes', '"yes"'],
      ['on', '"on"'],
      ['~', '"~"'],
      ['null', '"null"'],
      ['1e3', '"1e3"'],
      ['0x1F', '"0x1F"'],
      ['012', '"012"'],
      ['1_000', '"1_000"'],
      ['2026-01-05', '"2026-01-05"'],
      ['1.5.0-rc.1', '1.5.0-rc.1'],
      ['v2', 'v2'],
    ];
    for (const [value, written] of cases) {
      const out = editScalars(
        base,
        [{ path: ['images', { key: 'name', equals: 'api' }, 'newTag'], value }],
        F,
      ).text;
      expect(out, value).toBe(`images:\n  - name: api\n    newTag: ${written}\n`);
    }
    expect(safeAsPlain('1.4.2')).toBe(true);
    // single-quoted pins stay single-quoted
    const single = "images:\n  - name: api\n    newTag: '1.4'\n";
    expect(applyPinRequest(single, { kind: 'image', name: 'api', tag: '1.20' }, F).text).toBe(
      "images:\n  - name: api\n    newTag: '1.20'\n",
    );
  });

  it('re-quotes a pin written so that YAML reads a number (1.20 read as 1.2)', () => {
    const text = 'images:\n  - name: api\n    newTag: 1.20\n';
    const r = applyPinRequest(text, { kind: 'image', name: 'api', tag: '1.20' }, F);
    expect(r.text).toBe('images:\n  - name: api\n    newTag: "1.20"\n');
    expect(readPins(text, F)[0]?.fields.newTag).toBe('1.20');
  });

  it('keeps CRLF line ends', () => {
    const crlf = OVERLAY.replaceAll('\n', '\r\n');
    const r = applyPinRequest(crlf, { kind: 'image', name: 'api', tag: '1.5.0' }, F);
    expect(r.text).toBe(crlf.replace('"1.4.2"', '"1.5.0"'));
    expect(r.text.match(/\r\n/g)?.length).toBe(crlf.match(/\r\n/g)?.length);
    expect(r.text.replaceAll('\r\n', '')).not.toContain('\n');
  });

  it('never changes a held pin: marker on the line, or above the entry', () => {
    const onLine = OVERLAY.replace('# bumped by CI', '# idlc: hold (rollback, INC-4711)');
    expect(() => applyPinRequest(onLine, { kind: 'image', name: 'api', tag: '1.5.0' }, F)).toThrow(
      HeldPinError,
    );
    expect(() => applyPinRequest(onLine, { kind: 'image', name: 'api', tag: '1.5.0' }, F)).toThrow(
      /images\[name=api\]\.newTag: held at 1\.4\.2 \(marked "# idlc: hold"\); automation does not change it to 1\.5\.0/,
    );
    const above = OVERLAY.replace('  # the API server', '  # idlc: hold — pinned after the 1.4.3 rollback');
    expect(() => applyPinRequest(above, { kind: 'image', name: 'api', tag: '1.5.0' }, F)).toThrow(
      HeldPinError,
    );
    // the other entry of the same file is not held
    expect(
      applyPinRequest(above, { kind: 'image', name: 'reranker', digest: `sha256:${'c'.repeat(64)}` }, F)
        .changed,
    ).toBe(true);
    expect(readPins(above, F).map((p) => [p.name, p.held])).toEqual([
      ['api', true],
      ['reranker', false],
    ]);
  });

  it('a missing entry or key is an error naming the file and field; nothing is created', () => {
    expect(() => applyPinRequest(OVERLAY, { kind: 'image', name: 'ui', tag: '1.0.0' }, F)).toThrow(
      `${F}: images: no image named "ui" is pinned here (pinned: api, reranker)`,
    );
    // reranker is pinned by digest: a tag alone must not create newTag
    expect(() => applyPinRequest(OVERLAY, { kind: 'image', name: 'reranker', tag: '2.0.0' }, F)).toThrow(
      /images\[name=reranker\]\.digest: this env pins reranker by digest, and the update gives no digest/,
    );
    expect(() => editScalars(OVERLAY, [{ path: ['replicas'], value: '2' }], F)).toThrow(
      /replicas does not exist\n {2}fix: add "replicas" to the file by hand \(automation changes existing pins, it never adds keys\)/,
    );
  });

  it('the same value is a no-op that leaves the bytes alone', () => {
    const r = applyPinRequest(OVERLAY, { kind: 'image', name: 'api', tag: '1.4.2' }, F);
    expect(r.changed).toBe(false);
    expect(r.text).toBe(OVERLAY);
  });

  it('refuses :latest and malformed digests before touching the file', () => {
    expect(() => applyPinRequest(OVERLAY, { kind: 'image', name: 'api', tag: 'latest' }, F)).toThrow(
      /not an immutable tag/,
    );
    expect(() =>
      applyPinRequest(OVERLAY, { kind: 'image', name: 'reranker', digest: 'sha256:abc' }, F),
    ).toThrow(/not sha256:<64 hex>/);
  });

  it('edits chart versions in helmCharts', () => {
    const text = 'helmCharts:\n  - name: vllm\n    repo: oci://x\n    version: 0.9.1\n';
    expect(applyPinRequest(text, { kind: 'chart', name: 'vllm', version: '0.10.0' }, F).text).toBe(
      'helmCharts:\n  - name: vllm\n    repo: oci://x\n    version: 0.10.0\n',
    );
  });
});
