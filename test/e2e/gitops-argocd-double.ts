/**
 * A loopback Argo CD API for the promotion gate: GET /api/v1/applications/{name} with a bearer
 * token. No npm package ships Argo CD's OpenAPI description (@himenon/argocd-typescript-openapi
 * 1.2.2 has no files beyond its README), so every Application the double serves is validated
 * with @kubernetes-models/argo-cd's validator, generated from the same Go API types
 * (github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1) that Argo CD's swagger is
 * generated from. An invalid one fails the test instead of being served.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';

export interface ArgoDouble {
  url: string;
  token: string;
  set(name: string, status: { sync: string; revision: string; health: string }): void;
  requests: string[];
  close(): Promise<void>;
}

export async function startArgoCdDouble(repoURL: string): Promise<ArgoDouble> {
  const token = 'argocd-account-token';
  const apps = new Map<string, Application>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(401, { error: 'invalid session', code: 16, message: 'invalid session' });
    const m = /^\/api\/v1\/applications\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !m) return json(404, { error: 'Not Found', code: 5, message: 'Not Found' });
    const app = apps.get(decodeURIComponent(m[1] as string));
    // Argo CD answers a missing app with 403 unless the caller may list everything
    if (!app)
      return json(404, { error: 'applications.argoproj.io "x" not found', code: 5, message: 'not found' });
    return json(200, app.toJSON());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    requests,
    set(name, s) {
      const [team, env] = name.split('-');
      const app = new Application({
        metadata: { name, namespace: 'argocd' },
        spec: {
          project: team as string,
          source: {
            repoURL,
            targetRevision: 'main',
            path: `sdlc/teams/${team}/${env}/${name.split('-').slice(2).join('-')}`,
          },
          destination: { server: 'https://kubernetes.default.svc', namespace: `${team}-${env}` },
        },
        status: {
          sync: {
            status: s.sync,
            revision: s.revision,
            comparedTo: { source: { repoURL }, destination: {} },
          },
          health: { status: s.health },
        },
      });
      app.validate();
      apps.set(name, app);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
