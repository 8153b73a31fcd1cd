import type { Command } from 'commander';
import type { AcceptedRequest, PlinthClient } from '../client/index.js';
import { action, type Session } from '../context.js';
import { formatAge, phaseStyle, type Output } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';

/** A deployment, as the API answers it. */
interface Deployment {
  id: string;
  action: string;
  version: string;
  image: string;
  replicas: number;
  port: number;
  configVersion: number | null;
  status: string;
  revision: string | null;
  message: string | null;
  requester: string;
  createdAt: string;
}

/** An application, as the API answers it. */
interface Application {
  name: string;
  environment: string;
  version: string;
  status: string;
  revision: string | null;
  image: string;
  replicas: number;
  port: number;
  configVersion: number | null;
  message: string | null;
  lastRequestId: string;
  updatedAt: string;
  history?: Deployment[];
}

interface Configuration {
  environment: string;
  application: string;
  version: number;
  values: Record<string, string>;
  secrets: string[];
  createdBy: string;
  createdAt: string;
}

interface ConfigurationChange {
  configuration: Configuration;
  request: AcceptedRequest | null;
}

interface ConfigurationDiff {
  from: number;
  to: number;
  values: {
    added: Record<string, string>;
    removed: Record<string, string>;
    changed: Record<string, { from: string; to: string }>;
  };
  secrets: { added: string[]; removed: string[]; changed: string[] };
}

const enc = encodeURIComponent;
const appPath = (env: string, name: string) =>
  `/api/v1/environments/${enc(env)}/applications/${enc(name)}`;

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`not a whole number: ${value}`);
  return n;
}

/** `KEY=VALUE` pairs into an object; a bare `KEY-` removes that key (null). */
function pairs(items: string[], what: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else if (item.endsWith('-') && item.length > 1) out[item.slice(0, -1)] = null;
    else throw new Error(`${what} "${item.split('=')[0]}" is not KEY=VALUE (or KEY- to remove it)`);
  }
  return out;
}

function printAccepted(out: Output, accepted: AcceptedRequest, what: string): void {
  out.line(`Request ${accepted.id} accepted (${what}).`);
  out.line(`Follow it: plinth runs list --request ${accepted.id}`);
}

function printApplication(out: Output, a: Application): void {
  const field = (label: string, value: string) => out.line(`${`${label}:`.padEnd(15)}${value}`);
  field('Name', a.name);
  field('Environment', a.environment);
  field('Version', a.version);
  field(
    'Status',
    out.paint(a.status, phaseStyle(a.status === 'Deployed' ? 'Succeeded' : a.status)),
  );
  field('Image', a.image);
  field('Replicas', String(a.replicas));
  field('Port', String(a.port));
  field('Configuration', a.configVersion === null ? 'none' : `version ${a.configVersion}`);
  field('Revision', a.revision ?? '');
  if (a.message) field('Message', a.message);
  field('Last request', a.lastRequestId);
}

function printHistory(out: Output, items: Deployment[]): void {
  const now = Date.now();
  out.table(
    ['version', 'status', 'action', 'config', 'revision', 'age', 'request'],
    items.map((d) => [
      d.version,
      d.status,
      d.action,
      d.configVersion === null ? '' : String(d.configVersion),
      (d.revision ?? '').slice(0, 12),
      formatAge(d.createdAt, now),
      d.id,
    ]),
  );
}

/** Adds `plinth app deploy|get|list|history|rollback`. */
export function registerAppCommands(program: Command, session: Session): void {
  const app = program
    .command('app')
    .description('deploy applications to environments, inspect and roll them back');

  withClientOptions(
    app
      .command('deploy')
      .description('deploy a version of an application to an environment')
      .argument('<environment>')
      .argument('<name>')
      .requiredOption('--image <image>', 'container image, e.g. ghcr.io/acme/web:1.2.3')
      .requiredOption('--version <version>', 'the version deployed')
      .option('--replicas <n>', 'how many pods (default 1)', intOption)
      .option('--port <port>', 'the port it listens on (default 8080)', intOption),
  ).action(
    action(
      session,
      async (
        environment: string,
        name: string,
        flags: ClientFlags & { image: string; version: string; replicas?: number; port?: number },
      ) => {
        const { client, out } = clientContext(session, flags);
        const accepted = await client.call<AcceptedRequest>('POST', '/api/v1/applications', {
          body: {
            environment,
            name,
            image: flags.image,
            version: flags.version,
            ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
            ...(flags.port === undefined ? {} : { port: flags.port }),
          },
        });
        if (out.format === 'json') out.json(accepted);
        else printAccepted(out, accepted, `deploy ${name} ${flags.version} to ${environment}`);
        return 0;
      },
    ),
  );

  withClientOptions(
    app
      .command('get')
      .description('show an application')
      .argument('<environment>')
      .argument('<name>'),
  ).action(
    action(session, async (environment: string, name: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const a = await client.call<Application>('GET', appPath(environment, name));
      if (out.format === 'json') out.json(a);
      else printApplication(out, a);
      return 0;
    }),
  );

  withClientOptions(
    app
      .command('list')
      .description('list the applications of an environment')
      .argument('<environment>'),
  ).action(
    action(session, async (environment: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.call<{ items: Application[] }>(
        'GET',
        `/api/v1/environments/${enc(environment)}/applications`,
      );
      if (out.format === 'json') out.json(list);
      else if (list.items.length === 0) out.note('No applications.');
      else
        out.table(
          ['name', 'version', 'status', 'replicas', 'revision'],
          list.items.map((a) => [
            a.name,
            a.version,
            a.status,
            String(a.replicas),
            (a.revision ?? '').slice(0, 12),
          ]),
        );
      return 0;
    }),
  );

  withClientOptions(
    app
      .command('history')
      .description('the deployments of an application, newest first')
      .argument('<environment>')
      .argument('<name>'),
  ).action(
    action(session, async (environment: string, name: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.call<{ items: Deployment[] }>(
        'GET',
        `${appPath(environment, name)}/history`,
      );
      if (out.format === 'json') out.json(list);
      else printHistory(out, list.items);
      return 0;
    }),
  );

  withClientOptions(
    app
      .command('rollback')
      .description('deploy an earlier version again')
      .argument('<environment>')
      .argument('<name>')
      .requiredOption('--version <version>', 'the earlier version'),
  ).action(
    action(
      session,
      async (environment: string, name: string, flags: ClientFlags & { version: string }) => {
        const { client, out } = clientContext(session, flags);
        const accepted = await client.call<AcceptedRequest>(
          'POST',
          `${appPath(environment, name)}/rollback`,
          {
            body: { version: flags.version },
          },
        );
        if (out.format === 'json') out.json(accepted);
        else
          printAccepted(out, accepted, `roll ${name} in ${environment} back to ${flags.version}`);
        return 0;
      },
    ),
  );
}

function printChange(out: Output, change: ConfigurationChange): void {
  const c = change.configuration;
  out.line(`Configuration version ${c.version} of ${c.application} in ${c.environment} saved.`);
  if (change.request) printAccepted(out, change.request, 'delivering it');
  else out.line('The application is not deployed yet: its next deployment carries this version.');
}

async function setConfiguration(
  client: PlinthClient,
  environment: string,
  name: string,
  body: Record<string, unknown>,
): Promise<ConfigurationChange> {
  return client.call<ConfigurationChange>('PUT', `${appPath(environment, name)}/configuration`, {
    body,
  });
}

/** Adds `plinth config set|get|versions|diff|rollback`. */
export function registerConfigCommands(program: Command, session: Session): void {
  const config = program
    .command('config')
    .description('set, inspect, compare and roll back an application’s configuration');

  withClientOptions(
    config
      .command('set')
      .description('make a new configuration version: KEY=VALUE sets a value, KEY- removes one')
      .argument('<environment>')
      .argument('<application>')
      .argument('[pairs...]', 'KEY=VALUE values')
      .option(
        '--secret <KEY=VALUE>',
        'a secret (repeatable); encrypted at rest, never shown again',
        (v: string, acc: string[]) => [...acc, v],
        [] as string[],
      ),
  ).action(
    action(
      session,
      async (
        environment: string,
        application: string,
        items: string[],
        flags: ClientFlags & { secret: string[] },
      ) => {
        const { client, out } = clientContext(session, flags);
        const values = pairs(items, 'value');
        const secrets = pairs(flags.secret, 'secret');
        const change = await setConfiguration(client, environment, application, {
          ...(Object.keys(values).length > 0 ? { values } : {}),
          ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
        });
        if (out.format === 'json') out.json(change);
        else printChange(out, change);
        return 0;
      },
    ),
  );

  withClientOptions(
    config
      .command('get')
      .description('the current configuration: values, and the secrets’ names')
      .argument('<environment>')
      .argument('<application>')
      .option('--version <n>', 'an earlier version', intOption),
  ).action(
    action(
      session,
      async (
        environment: string,
        application: string,
        flags: ClientFlags & { version?: number },
      ) => {
        const { client, out } = clientContext(session, flags);
        const c = await client.call<Configuration>(
          'GET',
          `${appPath(environment, application)}/configuration`,
          {
            query: { version: flags.version },
          },
        );
        if (out.format === 'json') {
          out.json(c);
          return 0;
        }
        out.line(`Version ${c.version} (by ${c.createdBy}, ${c.createdAt})`);
        for (const [k, v] of Object.entries(c.values)) out.line(`${k}=${v}`);
        for (const s of c.secrets) out.line(`${s}=(secret)`);
        return 0;
      },
    ),
  );

  withClientOptions(
    config
      .command('versions')
      .description('every configuration version, oldest first')
      .argument('<environment>')
      .argument('<application>'),
  ).action(
    action(session, async (environment: string, application: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.call<{ items: Configuration[] }>(
        'GET',
        `${appPath(environment, application)}/configuration/versions`,
      );
      if (out.format === 'json') out.json(list);
      else
        out.table(
          ['version', 'values', 'secrets', 'by', 'age'],
          list.items.map((c) => [
            String(c.version),
            String(Object.keys(c.values).length),
            String(c.secrets.length),
            c.createdBy,
            formatAge(c.createdAt, Date.now()),
          ]),
        );
      return 0;
    }),
  );

  withClientOptions(
    config
      .command('diff')
      .description('what changed between two versions (secrets by name only)')
      .argument('<environment>')
      .argument('<application>')
      .requiredOption('--from <n>', 'the earlier version', intOption)
      .requiredOption('--to <n>', 'the later version', intOption),
  ).action(
    action(
      session,
      async (
        environment: string,
        application: string,
        flags: ClientFlags & { from: number; to: number },
      ) => {
        const { client, out } = clientContext(session, flags);
        const d = await client.call<ConfigurationDiff>(
          'GET',
          `${appPath(environment, application)}/configuration/diff`,
          {
            query: { from: flags.from, to: flags.to },
          },
        );
        if (out.format === 'json') {
          out.json(d);
          return 0;
        }
        for (const [k, v] of Object.entries(d.values.added)) out.line(`+ ${k}=${v}`);
        for (const [k, v] of Object.entries(d.values.removed)) out.line(`- ${k}=${v}`);
        for (const [k, v] of Object.entries(d.values.changed))
          out.line(`~ ${k}: ${v.from} -> ${v.to}`);
        for (const k of d.secrets.added) out.line(`+ ${k} (secret)`);
        for (const k of d.secrets.removed) out.line(`- ${k} (secret)`);
        for (const k of d.secrets.changed) out.line(`~ ${k} (secret changed)`);
        return 0;
      },
    ),
  );

  withClientOptions(
    config
      .command('rollback')
      .description('make a new version equal to an earlier one, and deliver it')
      .argument('<environment>')
      .argument('<application>')
      .requiredOption('--version <n>', 'the earlier version', intOption),
  ).action(
    action(
      session,
      async (
        environment: string,
        application: string,
        flags: ClientFlags & { version: number },
      ) => {
        const { client, out } = clientContext(session, flags);
        const change = await client.call<ConfigurationChange>(
          'POST',
          `${appPath(environment, application)}/configuration/rollback`,
          { body: { version: flags.version } },
        );
        if (out.format === 'json') out.json(change);
        else printChange(out, change);
        return 0;
      },
    ),
  );
}
