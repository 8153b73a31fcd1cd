import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The `plinth` launcher, as `npx plinth` runs it. */
export const launcher = path.join(root, 'bin', 'plinth.js');

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `plinth ARGS` as a child process, as a user would. */
export async function plinth(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A running `plinth up`. */
export interface Server {
  api: string;
  webhook: string;
  token: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
}

export interface ServerOptions {
  dataDir?: string;
  token?: string;
  catalog?: string;
  extraArgs?: string[];
  ports?: { api: number; webhook: number };
  /** How long it may take to answer /readyz (ms); 30 s by default. */
  readyTimeoutMs?: number;
}

/** Starts `plinth up` on free ports and waits until it is ready. */
export async function startServer(options: ServerOptions = {}): Promise<Server> {
  const dataDir = options.dataDir ?? tempDir('plinth-e2e-');
  const token = options.token ?? 'plinth_e2e_admin_token_0123456789abcdef';
  const apiPort = options.ports?.api ?? (await freePort());
  const webhookPort = options.ports?.webhook ?? (await freePort());
  const args = [
    'up',
    '--data-dir',
    dataDir,
    '--port',
    String(apiPort),
    '--eventsource-ports',
    // 12400: the catalog's github EventSource, on a free port so servers run side by side.
    `12000=${webhookPort},12400=0`,
    '--log-level',
    'warn',
    ...(options.catalog ? ['--catalog', options.catalog] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, [launcher, ...args], {
    env: { ...process.env, PLINTH_ADMIN_TOKEN: token, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const api = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`plinth up exited ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${api}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`plinth up did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    api,
    webhook: `http://127.0.0.1:${webhookPort}`,
    token,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `fn` until it returns a value that is not undefined. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET an API path with the server's admin token: its status and JSON body. */
export async function getJson<T>(
  server: Server,
  url: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.api}${url}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Waits until the server's process has died of SIGKILL (a crash point fired). */
export async function killed(server: Server): Promise<void> {
  await eventually(
    async () => (server.child.signalCode === 'SIGKILL' ? true : undefined),
    'the process to die with SIGKILL',
    10_000,
  );
}
