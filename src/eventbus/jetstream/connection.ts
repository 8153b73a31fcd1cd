import { AuthorizationError, connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { InputError, PlinthError } from '../../errors/index.js';
import type { Logger } from '../../logging/index.js';
import { BusAuth, type EventBusSettings } from './eventbus-spec.js';

/** Credentials for the NATS server; none of them is ever logged or put in an error. */
export interface NatsCredentials {
  token?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
}

/** A bus URL split into servers and the credentials it carried. */
export interface ParsedBusUrl {
  /** `host:port` of each server, without credentials. */
  servers: string[];
  credentials: NatsCredentials;
  /** The URL with any credentials replaced, safe to log. */
  display: string;
}

/**
 * Parses `nats://[user:password@|token@]host[:port]`, several separated by
 * commas. Credentials in the URL are accepted (and lose to explicit ones).
 */
export function parseBusUrl(url: string): ParsedBusUrl {
  const servers: string[] = [];
  const credentials: NatsCredentials = {};
  const display: string[] = [];
  for (const part of url.split(',')) {
    const text = part.trim();
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw badUrl(redactUrl(text));
    }
    if (parsed.protocol !== 'nats:' || parsed.hostname === '') throw badUrl(redactUrl(text));
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    if (user !== '' && parsed.password !== '') {
      credentials.user = user;
      credentials.password = password;
    } else if (user !== '') {
      credentials.token = user;
    }
    const host = parsed.port === '' ? `${parsed.hostname}:4222` : parsed.host;
    servers.push(host);
    display.push(`nats://${user === '' ? '' : '[redacted]@'}${host}`);
  }
  return { servers, credentials, display: display.join(',') };
}

/** The URL with whatever stands before `@` in each server replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(^|,|\/\/)[^,/@]*@/g, '$1[redacted]@');
}

function badUrl(shown: string): InputError {
  return new InputError(`the bus URL ${JSON.stringify(shown)} is not a nats:// URL`, {
    errors: [{ field: 'bus', message: `${shown} is not a NATS URL`, fix: 'use nats://HOST:PORT' }],
  });
}

/** Replaces every configured secret in `text`, for errors that quote the server or the library. */
export function scrub(text: string, secrets: NatsCredentials): string {
  let out = text;
  for (const secret of [secrets.token, secrets.password]) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** What `connectNats` needs. */
export interface ConnectOptions {
  url: ParsedBusUrl;
  credentials: NatsCredentials;
  bus: EventBusSettings;
  logger: Logger;
  waitOnFirstConnect: boolean;
  name: string;
}

/**
 * Connects with reconnects forever (a NATS restart must not lose the bus).
 * Credentials are checked against what the EventBus asks for first, so a
 * missing token is named before any network traffic.
 */
export async function connectNats(opts: ConnectOptions): Promise<NatsConnection> {
  const { credentials: creds, url } = opts;
  checkCredentials(creds, opts.bus);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url.servers,
      name: opts.name,
      ...(creds.token ? { token: creds.token } : {}),
      ...(creds.user ? { user: creds.user, pass: creds.password ?? '' } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: opts.waitOnFirstConnect,
      timeout: 5_000,
    });
  } catch (err) {
    throw connectError(err, opts);
  }
  void watchStatus(nc, opts.logger, url.display, creds);
  return nc;
}

function checkCredentials(creds: NatsCredentials, bus: EventBusSettings): void {
  if (creds.user && creds.password === undefined) {
    throw credentialsError('PLINTH_BUS_USER is set but PLINTH_BUS_PASSWORD is not', {
      field: 'PLINTH_BUS_PASSWORD',
      message: 'missing',
      fix: 'set PLINTH_BUS_PASSWORD to the password of PLINTH_BUS_USER',
    });
  }
  const where = bus.authField ?? 'the EventBus';
  if (bus.auth === BusAuth.Token && !creds.token) {
    throw credentialsError(`the EventBus asks for token auth (${where}) but no token is set`, {
      field: 'PLINTH_BUS_TOKEN',
      message: 'missing',
      fix: 'set PLINTH_BUS_TOKEN to the NATS server’s token',
    });
  }
  if (bus.auth === BusAuth.Credentials && !creds.token && !creds.user) {
    throw credentialsError(`the EventBus asks for credentials (${where}) but none are set`, {
      field: 'PLINTH_BUS_TOKEN',
      message: 'missing',
      fix: 'set PLINTH_BUS_TOKEN, or PLINTH_BUS_USER and PLINTH_BUS_PASSWORD',
    });
  }
}

function credentialsError(
  message: string,
  problem: { field: string; message: string; fix: string },
): PlinthError {
  return new PlinthError('BUS_UNAVAILABLE', message, { retryable: false, errors: [problem] });
}

function connectError(err: unknown, opts: ConnectOptions): PlinthError {
  const { credentials: creds, url } = opts;
  if (err instanceof AuthorizationError) {
    const given = creds.token
      ? 'PLINTH_BUS_TOKEN'
      : creds.user
        ? 'PLINTH_BUS_USER / PLINTH_BUS_PASSWORD'
        : undefined;
    const message = given
      ? `the NATS server at ${url.display} refused the credentials in ${given}`
      : `the NATS server at ${url.display} asks for credentials and none are set`;
    return credentialsError(message, {
      field: given === undefined || creds.token ? 'PLINTH_BUS_TOKEN' : 'PLINTH_BUS_PASSWORD',
      message: given ? 'refused by the server' : 'missing',
      fix: 'set PLINTH_BUS_TOKEN (or PLINTH_BUS_USER and PLINTH_BUS_PASSWORD) to what the server expects',
    });
  }
  const why = err instanceof Error ? scrub(err.message, creds) : 'unknown error';
  return new PlinthError('BUS_UNAVAILABLE', `cannot reach NATS at ${url.display}: ${why}`, {
    details: { url: url.display },
  });
}

async function watchStatus(
  nc: NatsConnection,
  logger: Logger,
  display: string,
  creds: NatsCredentials,
): Promise<void> {
  for await (const s of nc.status()) {
    switch (s.type) {
      case 'disconnect':
        logger.warn({ bus: display }, 'lost the connection to NATS; reconnecting');
        break;
      case 'reconnect':
        logger.info({ bus: display }, 'reconnected to NATS');
        break;
      case 'error':
        logger.warn(
          { bus: display, error: scrub(String(s.error?.message ?? s.error), creds) },
          'NATS connection error',
        );
        break;
      default:
        break;
    }
  }
}
