import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/index.js';

export type { Logger };

/** Paths whose values never reach a log line, wherever they appear. */
export const redactPaths = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'adminToken',
  '*.adminToken',
  'busToken',
  '*.busToken',
  'busPassword',
  '*.busPassword',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

/** Creates the process's logger; secrets are censored by path. */
export function createLogger(opts: {
  level: LogLevel;
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino(
    {
      level: opts.level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { service: 'plinth' },
    },
    opts.destination ?? process.stderr,
  );
}
