/**
 * What act's steps see as GITHUB_API_URL / GITHUB_GRAPHQL_URL: a loopback front of the GitHub
 * double that turns act's one shared token into the requesting job's own GITHUB_TOKEN — an
 * installation token the double issued for that run and job, with the job's `permissions:`
 * (the double enforces them per operation, and the token dies with the run). A request with
 * the shared token from a process that is not a job of a sandbox run is answered 401, as a
 * leaked token of a finished job would be. Other tokens (a person's, an App's) pass unchanged.
 *
 * It also serves the artifact stand-ins (sandbox/stand-ins/*-artifact): an upload goes into the
 * requesting job's own run (state.uploadArtifact with that job's token), a download reads the
 * same run's artifacts — the scoping actions/upload-artifact v4 has.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { unzipSync, zipSync } from 'fflate';
import { minimatch } from 'minimatch';
import type { GitHubDouble } from '../../test/support/github-double/index.ts';
import { resolvePeer } from './peer-identity.ts';
import type { JobIdentity, RunnerIdentity } from './runner-identity.ts';

export interface GitHubFront {
  url: string;
  graphqlUrl: string;
  /** Every refusal, for the log and the tests. */
  refusals: { path: string; reason: string }[];
  stop(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

export async function startGitHubFront(o: {
  gh: GitHubDouble;
  identity: RunnerIdentity;
  /** The token act gives every job (`-s GITHUB_TOKEN=…`). */
  sharedToken: string;
  say: (line: string) => void;
}): Promise<GitHubFront> {
  const upstream = new URL(o.gh.url);
  const refusals: GitHubFront['refusals'] = [];
  const tokens = new Map<string, string>();
  let origin = '';

  /** The double-issued token of a job leg (one per leg, for the run's lifetime). */
  const jobToken = (id: JobIdentity): string => {
    let t = tokens.get(id.key);
    if (!t) {
      t = o.gh.issueToken({
        kind: 'workflow',
        runId: id.run.id,
        job: id.job.id,
        workflowFile: id.file.path,
        permissions: id.permissions,
        event: id.run.event,
        ref: id.run.ref,
        fork: id.run.fork,
      });
      tokens.set(id.key, t);
    }
    return t;
  };

  const refuse = (res: ServerResponse, path: string, reason: string) => {
    refusals.push({ path, reason });
    o.say(`sandbox: GitHub API refused ${path}: ${reason}`);
    json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
  };

  const bearer = (req: IncomingMessage) =>
    /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, auth: string | undefined) => {
    const headers = { ...req.headers, host: upstream.host };
    if (auth) headers.authorization = `token ${auth}`;
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          // links the double writes (pagination, `url` fields) point at itself: point them here
          const h = { ...upRes.headers };
          if (typeof h.link === 'string') h.link = h.link.replaceAll(upstream.origin, origin);
          let out = Buffer.concat(chunks);
          if (String(h['content-type'] ?? '').includes('json')) {
            out = Buffer.from(out.toString('utf8').replaceAll(upstream.origin, origin));
          }
          delete h['content-length'];
          delete h['transfer-encoding'];
          res.writeHead(upRes.statusCode ?? 502, { ...h, 'content-length': String(out.length) });
          res.end(out);
        });
      },
    );
    up.on('error', (e) => json(res, 502, { message: `sandbox front: ${e.message}` }));
    up.end(body);
  };

  const artifacts = (req: IncomingMessage, res: ServerResponse, body: Buffer, id: JobIdentity, url: URL) => {
    const state = o.gh.state;
    if (req.method === 'POST' && url.pathname === '/_sandbox/artifacts') {
      const b = JSON.parse(body.toString('utf8')) as { name: string; files: Record<string, string> };
      const files = Object.fromEntries(
        Object.entries(b.files).map(([p, data]) => [p, new Uint8Array(Buffer.from(data, 'base64'))]),
      );
      try {
        const a = state.uploadArtifact(jobToken(id), b.name, Buffer.from(zipSync(files)));
        return json(res, 201, { id: a.id, name: a.name, size: a.zip.length });
      } catch (err) {
        return json(res, 409, { message: (err as Error).message });
      }
    }
    if (req.method === 'GET' && url.pathname === '/_sandbox/artifacts') {
      const name = url.searchParams.get('name');
      const pattern = url.searchParams.get('pattern');
      const list = [...state.artifacts.values()].filter(
        (a) =>
          a.runId === id.run.id &&
          !a.expired &&
          (name ? a.name === name : pattern ? minimatch(a.name, pattern) : true),
      );
      return json(res, 200, {
        artifacts: list.map((a) => ({
          name: a.name,
          files: Object.fromEntries(
            Object.entries(unzipSync(new Uint8Array(a.zip))).map(([p, d]) => [
              p,
              Buffer.from(d).toString('base64'),
            ]),
          ),
        })),
      });
    }
    return json(res, 404, { message: 'Not Found' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', origin);
    const token = bearer(req);
    if (token !== o.sharedToken) return forward(req, res, body, undefined);
    const { resolution } = resolvePeer(req.socket as Socket, o.identity);
    if ('refused' in resolution) return refuse(res, `${req.method} ${url.pathname}`, resolution.refused);
    if (url.pathname.startsWith('/_sandbox/')) return artifacts(req, res, body, resolution.identity, url);
    return forward(req, res, body, jobToken(resolution.identity));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { message: `sandbox front: ${String(err)}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const graphqlPath = new URL(o.gh.graphqlUrl).pathname;
  return {
    url: `${origin}${upstream.pathname.replace(/\/$/, '')}`,
    graphqlUrl: `${origin}${graphqlPath}`,
    refusals,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
