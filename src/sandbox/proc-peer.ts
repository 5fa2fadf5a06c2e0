/**
 * Which local process is on the other end of a loopback TCP connection, and its environment.
 *
 * GitHub mints credentials per job; act gives every job the same token and no ID-token
 * service. The sandbox gets the job back from the requesting process itself: the peer's TCP
 * port → its socket inode in /proc/net/tcp{,6} → the process holding that inode (/proc/<pid>/fd)
 * → /proc/<pid>/environ, where act put GITHUB_RUN_ID, GITHUB_JOB, GITHUB_WORKFLOW and the step's
 * INPUT_* values. A process with its own network namespace, an environment without those keys
 * (the engine in its bwrap sandbox), or one whose /proc entries cannot be read gets no identity.
 * Linux only; on anything else every lookup answers undefined (fail closed).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PeerProcess {
  pid: number;
  env: Record<string, string>;
}

const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');

/** The inode of the client socket `local:peerPort → remote:serverPort` (the peer's own end). */
export function socketInode(peerPort: number, serverPort: number, procRoot = '/proc'): string | undefined {
  const want = [hexPort(peerPort), hexPort(serverPort)];
  for (const table of ['net/tcp', 'net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${procRoot}/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const local = f[1]?.split(':').pop();
      const remote = f[2]?.split(':').pop();
      if (local === want[0] && remote === want[1] && f[9] && f[9] !== '0') return f[9];
    }
  }
  return undefined;
}

/** Every process that holds the socket (a forked child inherits its parent's descriptors). */
export function pidsHolding(inode: string, procRoot = '/proc'): number[] {
  const target = `socket:[${inode}]`;
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${name}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`${procRoot}/${name}/fd/${fd}`) === target) {
          pids.push(Number(name));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return pids;
}

export function processEnv(pid: number, procRoot = '/proc'): Record<string, string> | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(`${procRoot}/${pid}/environ`);
  } catch {
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const entry of raw.toString('utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}

/** The processes at the other end of a connection this server accepted. */
export function peerProcesses(socket: { remotePort?: number | undefined; localPort?: number | undefined }) {
  if (process.platform !== 'linux' || !socket.remotePort || !socket.localPort) return [];
  const inode = socketInode(socket.remotePort, socket.localPort);
  if (!inode) return [];
  const out: PeerProcess[] = [];
  for (const pid of pidsHolding(inode)) {
    if (pid === process.pid) continue;
    const env = processEnv(pid);
    if (env) out.push({ pid, env });
  }
  return out;
}
