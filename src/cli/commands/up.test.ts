import { describe, it, expect } from 'vitest';
import type { Config } from '../../config/index.js';
import { ManifestError } from '../../errors/index.js';
import type { PlatformHandle, StartPlatform } from '../context.js';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';

/** Signals the test sends by hand; `subscribed` resolves once `up` listens. */
function signals() {
  let handler: ((s: string) => void) | undefined;
  let unsubscribed = false;
  let ready: () => void = () => undefined;
  const subscribed = new Promise<void>((r) => (ready = r));
  return {
    subscribed,
    send: (s: string) => handler?.(s),
    get unsubscribed() {
      return unsubscribed;
    },
    onSignal: (h: (s: string) => void) => {
      handler = h;
      ready();
      return () => void (unsubscribed = true);
    },
  };
}

function platform(extra: Partial<PlatformHandle> = {}) {
  const seen: { config?: Config; stopped: number } = { stopped: 0 };
  const start: StartPlatform = (config) => {
    seen.config = config;
    return Promise.resolve({
      urls: {
        api: 'http://127.0.0.1:8000',
        docs: 'http://127.0.0.1:8000/docs',
        eventSources: [
          {
            eventSourceName: 'webhook',
            eventName: 'environments',
            method: 'POST',
            url: 'http://127.0.0.1:12000/environments',
          },
        ],
      },
      stop: () => {
        seen.stopped++;
        return Promise.resolve();
      },
      ...extra,
    });
  };
  return { start, seen };
}

describe('plinth up', () => {
  it('passes flags to the configuration, prints URLs and the token once, stops on a signal', async () => {
    const sig = signals();
    const { start, seen } = platform({ adminToken: 'plt_admin' });
    const io = memoryIO(
      { PLINTH_LOG_LEVEL: 'warn' },
      { cwd: '/srv', deps: { startPlatform: start, onSignal: sig.onSignal } },
    );
    const done = runCli(
      [
        'up',
        '--catalog',
        'cat',
        '--port',
        '0',
        '--eventsource-ports',
        '12000=0',
        '--db',
        'sqlite:x.db',
      ],
      io,
    );
    await sig.subscribed;
    expect(seen.config).toMatchObject({
      catalogDir: '/srv/cat',
      dataDir: '/srv/.plinth',
      port: 0,
      db: 'sqlite:x.db',
      logLevel: 'warn',
    });
    expect(seen.config?.eventSourcePorts.get(12000)).toBe(0);
    expect(io.out()).toContain(
      '  API:   http://127.0.0.1:8000\n  Docs:  http://127.0.0.1:8000/docs\n',
    );
    expect(io.out()).toContain(
      '    webhook/environments  POST http://127.0.0.1:12000/environments\n',
    );
    expect(io.out()).toContain('shown this once');
    expect(io.out()).toContain('  export PLINTH_TOKEN=plt_admin\n');
    sig.send('SIGTERM');
    expect(await done).toBe(0);
    expect(seen.stopped).toBe(1);
    expect(sig.unsubscribed).toBe(true);
  });

  it('prints no token when none was generated', async () => {
    const sig = signals();
    const { start } = platform();
    const io = memoryIO(
      {},
      { cwd: '/srv', deps: { startPlatform: start, onSignal: sig.onSignal } },
    );
    const done = runCli(['up'], io);
    await sig.subscribed;
    sig.send('SIGINT');
    expect(await done).toBe(0);
    expect(io.out()).not.toContain('PLINTH_TOKEN');
  });

  it('exits at once on a second signal', async () => {
    const sig = signals();
    const exits: number[] = [];
    const { start } = platform({ stop: () => new Promise(() => undefined) });
    const io = memoryIO(
      {},
      { deps: { startPlatform: start, onSignal: sig.onSignal, exit: (c) => void exits.push(c) } },
    );
    void runCli(['up'], io);
    await sig.subscribed;
    sig.send('SIGINT');
    sig.send('SIGINT');
    expect(exits).toEqual([130]);
    expect(io.err()).toContain('exiting now');
  });

  it('reports a bad setting on one line and exits 2', async () => {
    const { start, seen } = platform();
    const io = memoryIO({}, { deps: { startPlatform: start } });
    expect(await runCli(['up', '--port', 'eighty'], io)).toBe(2);
    expect(io.err()).toBe(
      'plinth: PLINTH_PORT / --port is "eighty", not a port (give a number from 0 to 65535)\n',
    );
    expect(seen.config).toBeUndefined();
  });

  it('reports a bad catalog manifest with its place and fix, and exits 2', async () => {
    const start: StartPlatform = () =>
      Promise.reject(
        new ManifestError(
          'YAML does not allow // comments',
          { file: 'catalog/eventsource.yaml', line: 3, column: 5 },
          {
            errors: [{ field: 'spec', message: 'unexpected //', fix: 'start the comment with #' }],
          },
        ),
      );
    const io = memoryIO({}, { deps: { startPlatform: start } });
    expect(await runCli(['up'], io)).toBe(2);
    expect(io.err()).toBe(
      'plinth: catalog/eventsource.yaml:3:5: YAML does not allow // comments\n' +
        '  spec: unexpected // (fix: start the comment with #)\n',
    );
  });

  it('explains a port in use', async () => {
    const start: StartPlatform = () =>
      Promise.reject(
        Object.assign(new Error('listen EADDRINUSE'), {
          code: 'EADDRINUSE',
          address: '127.0.0.1',
          port: 8000,
        }),
      );
    const io = memoryIO({}, { deps: { startPlatform: start } });
    expect(await runCli(['up'], io)).toBe(2);
    expect(io.err()).toContain('plinth: 127.0.0.1:8000 is already in use');
  });

  it('lists every setting that has a flag in its help', async () => {
    const io = memoryIO();
    expect(await runCli(['up', '--help'], io)).toBe(0);
    for (const flag of [
      '--catalog <dir>',
      '--data-dir <dir>',
      '--host',
      '--port <port>',
      '--db <url>',
      '--bus <url>',
      '--admin-token',
      '--eventsource-ports <map>',
      '--log-level <level>',
    ]) {
      expect(io.out()).toContain(flag);
    }
    expect(io.out()).toContain('PLINTH_PORT');
    expect(io.out()).not.toContain('--bus-token');
  });
});
