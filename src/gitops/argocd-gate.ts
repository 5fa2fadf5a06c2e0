/**
 * The optional promotion gate: the source env's Argo CD Application of an app must be Synced
 * and Healthy, at a revision whose pins are the ones being promoted (so what is promoted is
 * what runs there). The Argo CD client is an interface; the HTTP one reads
 * GET /api/v1/applications/{name} with a bearer token (an Argo CD account token with
 * `applications, get` on the team project only).
 */
import { type AppRef, applicationName, pinsPath } from '../sdlc/layout.ts';
import { UsageError } from '../util/errors.ts';
import { pinValue, readPins } from './pins.ts';
import type { RepoApi } from './repo-api.ts';

/** The part of an Argo CD v1alpha1.Application the gate reads. */
export interface ArgoApplicationStatus {
  sync: { status: string; revision?: string };
  health: { status: string };
}

export interface ArgoCdClient {
  /** undefined when Argo CD has no such Application. */
  application(name: string): Promise<ArgoApplicationStatus | undefined>;
}

export function httpArgoCdClient(opts: { url: string; token: string; fetch?: typeof fetch }): ArgoCdClient {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  return {
    async application(name) {
      const res = await doFetch(`${base}/api/v1/applications/${encodeURIComponent(name)}`, {
        headers: { authorization: `Bearer ${opts.token}`, accept: 'application/json' },
      });
      if (res.status === 404) return undefined;
      if (!res.ok) {
        throw new UsageError(
          `Argo CD answered ${res.status} for application ${name}`,
          res.status === 401 || res.status === 403
            ? 'the argocd-token needs "applications, get" on the team project'
            : 'check argocd-url and that Argo CD is reachable from the runner',
        );
      }
      const app = (await res.json()) as {
        status?: { sync?: { status?: string; revision?: string }; health?: { status?: string } };
      };
      return {
        sync: {
          status: app.status?.sync?.status ?? 'Unknown',
          ...(app.status?.sync?.revision ? { revision: app.status.sync.revision } : {}),
        },
        health: { status: app.status?.health?.status ?? 'Unknown' },
      };
    },
  };
}

/**
 * Refuse unless the source app is Synced + Healthy and its synced revision pins what `head`
 * pins. Returns a one-line description for the PR body.
 */
export async function verifySourceDeployed(o: {
  argo: ArgoCdClient;
  api: Pick<RepoApi, 'readFiles'>;
  source: AppRef;
  head: string;
}): Promise<string> {
  const name = applicationName(o.source);
  const app = await o.argo.application(name);
  const where = `${o.source.team}/${o.source.env}/${o.source.app} (Argo CD application ${name})`;
  if (!app)
    throw new UsageError(
      `${where} does not exist in Argo CD`,
      'check argocd-url: it must be the Argo CD of the source env',
    );
  if (app.sync.status !== 'Synced' || app.health.status !== 'Healthy') {
    throw new UsageError(
      `${where} is ${app.sync.status} and ${app.health.status}, not Synced and Healthy: not promoting what does not run cleanly`,
      'wait for the sync to finish and the app to become healthy, or fix it in the source env first',
    );
  }
  const file = pinsPath(o.source);
  if (!app.sync.revision)
    throw new UsageError(`${where} reports no synced revision`, 'check the Application in Argo CD');
  const files = await o.api.readFiles(app.sync.revision, [file]);
  const headFiles = await o.api.readFiles(o.head, [file]);
  const at = files.get(file);
  const now = headFiles.get(file);
  const values = (t: string | null | undefined) =>
    t
      ? readPins(t, file)
          .map((p) => `${p.kind}:${p.name}=${pinValue(p)}`)
          .sort()
          .join(',')
      : '';
  if (!at || values(at) !== values(now)) {
    throw new UsageError(
      `${where} is synced at ${app.sync.revision.slice(0, 12)}, whose pins (${values(at) || 'none'}) are not the ones being promoted (${values(now)})`,
      'wait until Argo CD has synced the latest pins of the source env',
    );
  }
  return `${name}: Synced and Healthy at ${app.sync.revision.slice(0, 12)}`;
}
