import { type ChildProcess, spawn } from 'node:child_process';
import { toolPath } from '../../src/toolchain/tools.ts';
import { freePort } from './moto.ts';

/**
 * A real GCS emulator on loopback: fake-gcs-server (github.com/fsouza/fake-gcs-server, built
 * from the Go module proxy by scripts/install-tools), in memory, plain HTTP. It serves the JSON
 * API (`/storage/v1/...`, uploads at `/upload/storage/v1/...`, media downloads) with generation
 * preconditions, which is what the bundle store and OpenTofu's gcs backend (through
 * `storage_custom_endpoint`) use. It checks no credentials: who may write what is IAM's part,
 * asserted on the IAM conditions project-baseline renders (test/support/gcp-sts-double.ts).
 */
export interface FakeGcs {
  /** e.g. http://127.0.0.1:PORT (JSON API below /storage/v1/). */
  endpoint: string;
  createBucket(name: string): Promise<void>;
  /** Object names in a bucket (optionally under a prefix), sorted. */
  listNames(bucket: string, prefix?: string): Promise<string[]>;
  getBytes(bucket: string, name: string): Promise<Buffer>;
  getText(bucket: string, name: string): Promise<string>;
  /** Write an object unconditionally (an attacker with more rights than CI, or a test setup). */
  putObject(bucket: string, name: string, body: Buffer | string): Promise<void>;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`fake-gcs-server exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fake-gcs-server did not become ready at ${url} within ${timeoutMs} ms:\n${log()}`);
}

const o = (name: string) => encodeURIComponent(name);

export async function startFakeGcs(): Promise<FakeGcs> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(
    'fake-gcs-server',
    [
      '-backend',
      'memory',
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-external-url',
      endpoint,
      '-public-host',
      `127.0.0.1:${port}`,
      '-log-level',
      'warn',
    ],
    { env: { PATH: toolPath() }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`cannot start fake-gcs-server (${e.message}); run scripts/install-tools`)),
    ),
  );
  await Promise.race([waitReady(`${endpoint}/storage/v1/b`, child, () => output), spawnError]);

  const api = `${endpoint}/storage/v1`;
  const must = async (res: Response, what: string) => {
    if (!res.ok) throw new Error(`fake-gcs: ${what}: ${res.status} ${await res.text()}`);
    return res;
  };
  const getBytes = async (bucket: string, name: string) =>
    Buffer.from(
      await (
        await must(await fetch(`${api}/b/${o(bucket)}/o/${o(name)}?alt=media`), `get ${name}`)
      ).arrayBuffer(),
    );
  return {
    endpoint,
    async createBucket(name) {
      await must(
        await fetch(`${api}/b?project=test`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, versioning: { enabled: true } }),
        }),
        `create bucket ${name}`,
      );
    },
    async listNames(bucket, prefix) {
      const names: string[] = [];
      let page: string | undefined;
      do {
        const q = new URLSearchParams({
          ...(prefix ? { prefix } : {}),
          ...(page ? { pageToken: page } : {}),
        });
        const body = (await (
          await must(await fetch(`${api}/b/${o(bucket)}/o?${q}`), `list ${bucket}`)
        ).json()) as {
          items?: { name: string }[];
          nextPageToken?: string;
        };
        for (const i of body.items ?? []) names.push(i.name);
        page = body.nextPageToken;
      } while (page);
      return names.sort();
    },
    getBytes,
    getText: async (bucket, name) => (await getBytes(bucket, name)).toString('utf8'),
    async putObject(bucket, name, body) {
      await must(
        await fetch(`${endpoint}/upload/storage/v1/b/${o(bucket)}/o?uploadType=media&name=${o(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: typeof body === 'string' ? body : new Uint8Array(body),
        }),
        `put ${name}`,
      );
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
