import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateBucketCommand,
  type CreateBucketCommandInput,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { toolPath } from '../../src/toolchain/tools.ts';

/**
 * A real moto server on loopback: STS (AssumeRoleWithWebIdentity, GetCallerIdentity) and S3
 * with conditional writes (what tofu's native S3 lockfile uses). One per test file.
 */
export interface Moto {
  endpoint: string;
  port: number;
  /** An S3 client with static test credentials, for bootstrap and assertions. */
  s3: S3Client;
  /** Create a team state bucket the way the bootstrap would: versioned, public access blocked. */
  createStateBucket(name: string, region: string): Promise<void>;
  /** Keys in a bucket (optionally under a prefix). */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  getText(bucket: string, key: string): Promise<string>;
  stop(): Promise<void>;
}

export const TEST_AWS_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not become ready at ${url} within ${timeoutMs} ms:\n${log()}`);
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  let output = '';
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, PATH: toolPath() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`cannot start moto_server (${e.message}); run scripts/install-tools`)),
    ),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await Promise.race([waitReady(`${endpoint}/moto-api/data.json`, child, () => output), spawnError]);

  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: TEST_AWS_CREDENTIALS,
  });
  return {
    endpoint,
    port,
    s3,
    async createStateBucket(name, region) {
      const input: CreateBucketCommandInput = { Bucket: name };
      if (region !== 'us-east-1') {
        input.CreateBucketConfiguration = {
          LocationConstraint: region as NonNullable<
            CreateBucketCommandInput['CreateBucketConfiguration']
          >['LocationConstraint'],
        };
      }
      const regional = new S3Client({
        region,
        endpoint,
        forcePathStyle: true,
        credentials: TEST_AWS_CREDENTIALS,
      });
      await regional.send(new CreateBucketCommand(input));
      await regional.send(
        new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      await regional.send(
        new PutPublicAccessBlockCommand({
          Bucket: name,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        }),
      );
      regional.destroy();
    },
    async listKeys(bucket, prefix) {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    async getText(bucket, key) {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await out.Body?.transformToString()) ?? '';
    },
    async stop() {
      s3.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
