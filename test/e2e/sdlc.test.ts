import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadRegistry } from '../../src/config/load.ts';
import { manifestContext } from '../../src/policy/context.ts';
import { evaluateManifestPolicy } from '../../src/policy/evaluate.ts';
import { toolPath } from '../../src/toolchain/tools.ts';

const root = join(import.meta.dirname, '..', '..');
const env = { ...process.env, PATH: toolPath() };

/** Render a kustomization with the real kustomize. */
function build(dir: string): Record<string, unknown>[] {
  const out = execFileSync('kustomize', ['build', join(root, dir)], { env, encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as Record<string, unknown>);
}

const overlays: { team: string; env: string; app: string }[] = [];
for (const team of readdirSync(join(root, 'sdlc', 'teams'))) {
  for (const e of readdirSync(join(root, 'sdlc', 'teams', team))) {
    if (e === 'base') continue;
    for (const app of readdirSync(join(root, 'sdlc', 'teams', team, e))) overlays.push({ team, env: e, app });
  }
}

describe('sdlc manifests: rendered with kustomize, checked with the manifest policies', () => {
  it('every team has overlays for its envs', () => {
    expect(overlays.length).toBeGreaterThanOrEqual(6);
  });

  for (const o of overlays) {
    it(`${o.team}/${o.env}/${o.app} with its tenant guardrails passes policy/kubernetes`, async () => {
      const loaded = await loadRegistry(root);
      const app = build(`sdlc/teams/${o.team}/${o.env}/${o.app}`);
      const tenant = build(`sdlc/platform/tenants/${o.team}`);
      const deployment = app.find((x) => x['kind'] === 'Deployment') as {
        metadata: { namespace: string; labels: Record<string, string> };
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      expect(deployment.metadata.namespace).toBe(o.team);
      expect(deployment.metadata.labels).toMatchObject({ team: o.team, env: o.env });
      expect(deployment.spec.template.spec.containers[0]?.image).toMatch(
        /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/.+(:[\w.-]+|@sha256:[0-9a-f]{64})$/,
      );
      const manifests = [...app, ...tenant].map((object, i) => ({
        object,
        file: `rendered-${i}.yaml`,
        line: 1,
      }));
      const result = await evaluateManifestPolicy({
        root,
        manifests,
        context: manifestContext({ registry: loaded.registry, team: o.team, env: o.env }),
        target: `sdlc/teams/${o.team}/${o.env}/${o.app}`,
      });
      expect(result.findings.filter((f) => f.status === 'deny')).toEqual([]);
    });
  }

  it('the policies do catch a bad overlay (a :latest image outside the team registry, no limits)', async () => {
    const loaded = await loadRegistry(root);
    const [deployment] = build('sdlc/teams/search/dev/api').filter((x) => x['kind'] === 'Deployment') as {
      spec: { template: { spec: { containers: { image: string; resources: unknown }[] } } };
    }[];
    const c = deployment?.spec.template.spec.containers[0];
    if (!c) throw new Error('no container rendered');
    c.image = 'docker.io/library/nginx:latest';
    c.resources = {};
    const result = await evaluateManifestPolicy({
      root,
      manifests: [{ object: deployment as unknown as Record<string, unknown>, file: 'bad.yaml', line: 1 }],
      context: manifestContext({ registry: loaded.registry, team: 'search', env: 'dev' }),
      target: 'sdlc/teams/search/dev/api',
    });
    const rules = new Set(result.findings.filter((f) => f.status === 'deny').map((f) => f.rule));
    expect([...rules]).toEqual(
      expect.arrayContaining(['images.registry', 'images.pinned', 'resources.requests']),
    );
  });
});
