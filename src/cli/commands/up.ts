import { Option, type Command } from 'commander';
import { loadConfig, settings, type Config, type SettingSpec } from '../../config/index.js';
import { action, type PlatformHandle, type Session, type StartPlatform } from '../context.js';
import { describeConfigError, isConfigError } from '../errors.js';

async function loadStartPlatform(): Promise<StartPlatform> {
  const mod = await import('../../server/index.js');
  return mod.startPlatform;
}

function placeholder(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'port':
      return 'port';
    case 'integer':
      return 'n';
    case 'level':
      return 'level';
    default:
      if (/dir|catalog/.test(spec.flag ?? '')) return 'dir';
      if (/url|db|bus/.test(spec.flag ?? '')) return 'url';
      if (/ports/.test(spec.flag ?? '')) return 'map';
      return 'value';
  }
}

/** One option per setting that has a flag; returns setting key → commander attribute. */
function addSettingOptions(cmd: Command): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const spec of settings as readonly SettingSpec[]) {
    if (!spec.flag) continue;
    const flags = spec.kind === 'boolean' ? spec.flag : `${spec.flag} <${placeholder(spec)}>`;
    const dflt = spec.default && !spec.secret ? `, default ${JSON.stringify(spec.default)}` : '';
    const option = new Option(flags, `${spec.description} (env ${spec.env}${dflt})`);
    cmd.addOption(option);
    attributes.set(spec.key, option.attributeName());
  }
  return attributes;
}

function defaultOnSignal(handler: (signal: string) => void): () => void {
  const listener = (signal: NodeJS.Signals) => handler(signal);
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

function printStarted(session: Session, handle: PlatformHandle): void {
  const out = (line = '') => session.io.stdout.write(`${line}\n`);
  out('Plinth is up.');
  out(`  API:   ${handle.urls.api}`);
  out(`  Docs:  ${handle.urls.docs}`);
  if (handle.urls.eventSources.length > 0) {
    out('  EventSources:');
    for (const e of handle.urls.eventSources) {
      out(`    ${e.eventSourceName}/${e.eventName}  ${e.method} ${e.url}`);
    }
  }
  if (handle.adminToken) {
    out();
    out('Admin token (shown this once; Plinth keeps only its hash):');
    out(`  ${handle.adminToken}`);
    out('Use it with the CLI:');
    out(`  export PLINTH_TOKEN=${handle.adminToken}`);
  }
  out();
  out('Press Ctrl-C to stop.');
}

/** Serves until the first SIGINT/SIGTERM, then stops; a second signal exits at once. */
function serveUntilSignal(session: Session, handle: PlatformHandle): Promise<number> {
  const { deps, stderr } = session.io;
  const onSignal = deps?.onSignal ?? defaultOnSignal;
  const exit = deps?.exit ?? ((code: number) => process.exit(code));
  return new Promise((resolve) => {
    let stopping = false;
    const off = onSignal((signal) => {
      if (stopping) {
        stderr.write('plinth: second signal, exiting now\n');
        exit(130);
        return;
      }
      stopping = true;
      stderr.write(`plinth: ${signal} received, stopping (send it again to exit at once)\n`);
      handle.stop().then(
        () => {
          off();
          resolve(0);
        },
        (err: unknown) => {
          off();
          stderr.write(
            `plinth: stopping failed: ${err instanceof Error ? err.message : String(err)}\n`,
          );
          resolve(1);
        },
      );
    });
  });
}

function startError(session: Session, err: unknown): number {
  const write = (line: string) => session.io.stderr.write(`${line}\n`);
  if (isConfigError(err)) {
    describeConfigError(err).forEach(write);
    return 2;
  }
  const e = err as { code?: unknown; address?: unknown; port?: unknown };
  if (e && e.code === 'EADDRINUSE') {
    write(
      `plinth: ${String(e.address ?? '')}:${String(e.port ?? '')} is already in use (choose another with --port or --eventsource-ports, or stop what listens there)`,
    );
    return 2;
  }
  throw err;
}

/** Adds `plinth up`, whose flags are the settings that have one. */
export function registerUpCommand(program: Command, session: Session): void {
  const up = program
    .command('up')
    .description('start the platform on this machine: API, EventSources, sensors and workflows');
  const attributes = addSettingOptions(up);
  up.action(
    action(session, async (opts: Record<string, unknown>) => {
      const flags: Record<string, string | boolean | undefined> = {};
      for (const [key, attribute] of attributes) {
        const value = opts[attribute];
        if (typeof value === 'string' || typeof value === 'boolean') flags[key] = value;
      }
      let config: Config;
      let handle: PlatformHandle;
      try {
        config = loadConfig({ flags, env: session.io.env, cwd: session.io.cwd ?? process.cwd() });
        const start = session.io.deps?.startPlatform ?? (await loadStartPlatform());
        handle = await start(config);
      } catch (err) {
        return startError(session, err);
      }
      printStarted(session, handle);
      return serveUntilSignal(session, handle);
    }),
  );
}
