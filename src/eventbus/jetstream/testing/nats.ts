import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** The machine's NATS, which the shared bus suite uses. */
export const machineNatsUrl = 'nats://127.0.0.1:4222';

export const natsServerBin = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';

/** Whether something accepts TCP connections on host:port. */
export function listening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Deletes a stream, if it exists (test cleanup). */
export async function deleteStream(url: string, stream: string, token?: string): Promise<void> {
  const nc = await connect({ servers: url, ...(token ? { token } : {}) });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A `nats-server` with JetStream that a test started, on a free port and its own store. */
export interface TestNatsServer {
  readonly port: number;
  readonly url: string;
  readonly storeDir: string;
  /** SIGKILL: no chance to flush anything. */
  kill9(): Promise<void>;
  /** Starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops it and removes its store. */
  stop(): Promise<void>;
}

/** Starts `nats-server -js` with extra arguments (e.g. `--auth TOKEN`). */
export async function startNatsServer(extraArgs: string[] = []): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...extraArgs];
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(natsServerBin, args, { stdio: 'ignore' });
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await listening(port))) {
      if (proc.exitCode !== null) throw new Error(`nats-server exited with ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const kill = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    kill9: () => kill('SIGKILL'),
    restart: launch,
    stop: async () => {
      await kill('SIGTERM');
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
