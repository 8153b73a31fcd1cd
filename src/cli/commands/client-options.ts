import { Option, type Command } from 'commander';
import { createPlinthClient, type PlinthClient } from '../client/index.js';
import type { Session } from '../context.js';
import { createOutput, OutputFormat, type Output } from '../output.js';

/** The default API address, `plinth up`'s default. */
export const defaultServer = 'http://127.0.0.1:8000';

/** Options every client command takes. */
export interface ClientFlags {
  server?: string;
  token?: string;
  output: OutputFormat;
}

/** Adds `--server`, `--token` and `-o` to a client command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', `Plinth API URL (env PLINTH_SERVER, default ${defaultServer})`)
    .option('--token <token>', 'bearer token (env PLINTH_TOKEN)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(Object.values(OutputFormat))
        .default(OutputFormat.table),
    );
}

/** The client and output of one client command. */
export function clientContext(
  session: Session,
  flags: ClientFlags,
): { client: PlinthClient; out: Output } {
  const { env, stdout, stderr, deps } = session.io;
  const client = createPlinthClient({
    server: flags.server || env.PLINTH_SERVER || defaultServer,
    token: flags.token || env.PLINTH_TOKEN || undefined,
    ...(deps?.fetch ? { fetch: deps.fetch } : {}),
  });
  return { client, out: createOutput({ stdout, stderr, env, format: flags.output }) };
}
