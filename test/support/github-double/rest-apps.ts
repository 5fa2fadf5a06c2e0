/**
 * A GitHub App authenticating as itself (an RS256 JWT whose `iss` is the App id, checked in
 * identities.ts): find its installation on the repository, and mint installation tokens with
 * the requested subset of the installation's permissions. The minted token is registered, so
 * every later request with it is checked like any other.
 */
import type { Permissions, RegisteredApp } from './identities.ts';
import { type HandlerMap, notFound, unprocessable } from './rest-kit.ts';
import type { Ctx } from './rest-objects.ts';

type Json = Record<string, unknown>;

function callingApp(ctx: Ctx): RegisteredApp | undefined {
  return ctx.identity.app ? ctx.state.auth.apps.get(ctx.identity.app.id) : undefined;
}

function installation(ctx: Ctx, app: RegisteredApp): Json {
  const base = ctx.contract.example('apps/get-repo-installation', 200) as Json;
  const org = ctx.state.owner;
  return {
    ...base,
    id: app.installationId,
    account: {
      ...(base['account'] as Json),
      login: org,
      url: `${ctx.api}/orgs/${org}`,
      html_url: `${ctx.web}/${org}`,
    },
    repository_selection: 'selected',
    access_tokens_url: `${ctx.api}/app/installations/${app.installationId}/access_tokens`,
    repositories_url: `${ctx.api}/installation/repositories`,
    html_url: `${ctx.web}/organizations/${org}/settings/installations/${app.installationId}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: 1,
    target_type: 'Organization',
    permissions: app.permissions,
    events: [],
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_at: null,
    suspended_by: null,
  };
}

export const appHandlers: HandlerMap = {
  'apps/get-repo-installation': (_req, ctx) => {
    const app = callingApp(ctx);
    return app ? { status: 200, body: installation(ctx, app) } : notFound();
  },
  'apps/create-installation-access-token': (req, ctx) => {
    const app = callingApp(ctx);
    if (!app || app.installationId !== Number(req.params['installation_id'])) return notFound();
    const b = (req.body ?? {}) as {
      repositories?: string[];
      repository_ids?: number[];
      permissions?: Permissions;
    };
    const repos = b.repositories ?? [];
    const ids = b.repository_ids ?? [];
    if (repos.some((r) => r !== ctx.state.repo) || ids.some((i) => i !== ctx.state.repoId)) {
      return unprocessable(
        'There is at least one repository that does not exist or is not accessible to the parent installation.',
      );
    }
    const wanted = b.permissions ?? app.permissions;
    for (const [name, level] of Object.entries(wanted)) {
      const granted = app.permissions[name];
      if (!granted || (granted === 'read' && level === 'write')) {
        return unprocessable('The permissions requested are not granted to this installation.');
      }
    }
    const token = ctx.state.auth.issue({ kind: 'app-installation', appId: app.id, permissions: wanted });
    const expires = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      status: 201,
      body: {
        token,
        expires_at: expires,
        permissions: { ...wanted, metadata: 'read' },
        repository_selection: 'selected',
      },
    };
  },
};
