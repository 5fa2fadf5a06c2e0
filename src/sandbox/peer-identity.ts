/**
 * The job behind an accepted loopback connection: the peer process (proc-peer.ts), then the
 * run registry (runner-identity.ts). Looked up once per connection: a keep-alive connection
 * belongs to one process.
 */
import type { Socket } from 'node:net';
import { peerProcesses } from './proc-peer.ts';
import type { Resolution, RunnerIdentity } from './runner-identity.ts';

export interface PeerResolution {
  resolution: Resolution;
  /** The peer's environment (empty when it could not be read). */
  env: Record<string, string>;
  pid?: number;
}

const cache = new WeakMap<Socket, PeerResolution>();

export function resolvePeer(socket: Socket, identity: RunnerIdentity): PeerResolution {
  const hit = cache.get(socket);
  if (hit) return hit;
  const peers = peerProcesses(socket);
  let out: PeerResolution;
  if (peers.length === 0) {
    out = { resolution: { refused: 'the requesting process could not be identified' }, env: {} };
  } else {
    const resolved = peers.map((p) => ({ p, r: identity.resolve(p.env) }));
    const keys = new Set(
      resolved.map(({ r }) => ('identity' in r ? r.identity.key : `refused:${r.refused}`)),
    );
    const first = resolved[0] as (typeof resolved)[number];
    out =
      keys.size === 1
        ? { resolution: first.r, env: first.p.env, pid: first.p.pid }
        : {
            resolution: {
              refused: `the connection is shared by processes of different jobs (${[...keys].join('; ')})`,
            },
            env: {},
          };
  }
  // a refusal is not cached: the job's environment may become known with a later step
  if ('identity' in out.resolution) cache.set(socket, out);
  return out;
}
