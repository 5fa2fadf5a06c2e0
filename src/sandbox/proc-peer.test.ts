import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { peerProcesses } from './proc-peer.ts';

describe.runIf(process.platform === 'linux')('peerProcesses', () => {
  it('finds the process at the other end of a loopback connection, and its environment', async () => {
    let found: ReturnType<typeof peerProcesses> = [];
    const server = createServer((socket: Socket) => {
      found = peerProcesses(socket);
      socket.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const child = spawn(
      process.execPath,
      ['-e', `require('net').connect(${port}, '127.0.0.1').on('data', () => process.exit(0))`],
      { env: { PATH: process.env['PATH'], GITHUB_JOB: 'plan', GITHUB_RUN_ID: '42' }, stdio: 'ignore' },
    );
    await new Promise((r) => child.once('exit', r));
    server.close();
    expect(found.map((p) => p.pid)).toEqual([child.pid]);
    expect(found[0]?.env).toMatchObject({ GITHUB_JOB: 'plan', GITHUB_RUN_ID: '42' });
  });

  it('finds nobody for a connection from this process itself', async () => {
    let found: ReturnType<typeof peerProcesses> | undefined;
    const server = createServer((socket: Socket) => {
      found = peerProcesses(socket);
      socket.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => {
      const c = connect(port, '127.0.0.1');
      c.on('close', () => r());
    });
    server.close();
    expect(found).toEqual([]);
  });
});
