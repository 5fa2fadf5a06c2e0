import { describe, expect, it } from 'vitest';
import { renderManifestResult, summarize } from './manifest-result.ts';

describe('idlc.manifest-result/v1', () => {
  it('counts targets by status and renders a table with the problems', () => {
    const r = summarize(
      [
        {
          id: 'sdlc/teams/search/dev/api',
          kind: 'overlay',
          team: 'search',
          env: 'dev',
          status: 'ok',
          objects: 3,
          problems: [],
        },
        {
          id: 'sdlc/teams/search/prod/api',
          kind: 'overlay',
          team: 'search',
          env: 'prod',
          status: 'denied',
          objects: 3,
          problems: [
            {
              check: 'policy',
              severity: 'error',
              object: 'Deployment/search-prod/api',
              message: 'images.pinned: uses :latest',
            },
            {
              check: 'policy',
              severity: 'warning',
              object: 'Deployment/search-prod/api',
              message: 'resources.limits: no cpu limit',
            },
          ],
        },
        {
          id: 'sdlc/argocd/prod',
          kind: 'argocd',
          env: 'prod',
          status: 'invalid',
          objects: 12,
          problems: [{ check: 'schema', severity: 'error', message: 'spec/destinations must be array' }],
        },
      ],
      '1.33.0',
      ['charts are not pulled'],
    );
    expect(r).toMatchObject({
      schema: 'idlc.manifest-result/v1',
      ok: false,
      summary: { targets: 3, objects: 18, invalid: 1, denied: 1, warnings: 1 },
    });
    const md = renderManifestResult(r);
    expect(md).toContain('### Kubernetes manifests: problems found');
    expect(md).toContain('3 targets, 18 objects (Kubernetes 1.33.0): 1 invalid, 1 denied, 1 warnings.');
    expect(md).toContain('| ⛔ | `sdlc/teams/search/prod/api` | 3 | 1 |');
    expect(md).toContain('- **error** `sdlc/argocd/prod` schema: spec/destinations must be array');
    expect(renderManifestResult(r, 1)).toContain('- … 2 more in the result file');
  });
});
