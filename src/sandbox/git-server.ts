/**
 * GITHUB_SERVER_URL of the sandbox: the repository over git's smart HTTP protocol (git
 * http-backend as a CGI), read-only, for the checkout stand-in. Like GitHub for a private
 * repository, it answers only a job's token: act's shared token from a process that is a step
 * of a sandbox run whose job may read contents. Everything else gets 401.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolvePeer } from './peer-identity.ts';
import type { RunnerIdentity } from './runner-identity.ts';

export interface GitServer {
  url: string;
  refusals: { path: string; reason: string }[];
  stop(): Promise<void>;
}

function basicToken(req: IncomingMessage): string | undefined {
  const m = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const [, password] = Buffer.from(m[1] as string, 'base64')
    .toString('utf8')
    .split(':');
  return password;
}

export async function startGitServer(o: {
  /** Folder holding <owner>/<repo>.git */
  projectRoot: string;
  identity: RunnerIdentity;
  sharedToken: string;
  say: (line: string) => void;
}): Promise<GitServer> {
  const refusals: GitServer['refusals'] = [];

  const unauthorized = (res: ServerResponse, path: string, reason: string) => {
    refusals.push({ path, reason });
    o.say(`sandbox: git server refused ${path}: ${reason}`);
    res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
    res.end(`remote: ${reason}\n`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD))$/.exec(
      url.pathname,
    );
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found\n');
      return;
    }
    const [, owner, repo, rest] = m as unknown as [string, string, string, string];
    const service = url.searchParams.get('service') ?? rest.slice(1);
    if (service.includes('receive-pack')) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('remote: the sandbox repository is written by the sandbox, not by pushes\n');
      return;
    }
    if (basicToken(req) !== o.sharedToken) {
      return unauthorized(res, url.pathname, 'no token, or not the job token');
    }
    const { resolution } = resolvePeer(req.socket as Socket, o.identity);
    if ('refused' in resolution) return unauthorized(res, url.pathname, resolution.refused);
    const contents = resolution.identity.permissions['contents'];
    if (contents !== 'read' && contents !== 'write') {
      return unauthorized(res, url.pathname, `job ${resolution.identity.job.id} has no contents: read`);
    }
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env['PATH'],
        GIT_PROJECT_ROOT: o.projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: o.projectRoot,
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: `/${owner}/${repo}.git${rest}`,
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
        REMOTE_USER: 'x-access-token',
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('utf8').split('\r\n')) {
        const i = line.indexOf(':');
        if (i === -1) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    child.on('close', (code) => {
      if (!headersDone) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`git http-backend failed (${code}): ${stderr}\n`);
        return;
      }
      res.end();
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refusals,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
