import { PlinthError } from '../errors/index.js';
import type { Dispatcher } from './types.js';

/** Options of the HTTP dispatcher. */
export interface HttpDispatcherOptions {
  /** Where the webhook EventSource listens, e.g. `http://127.0.0.1:12000`; the event name is the path. */
  baseUrl: string;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
}

/**
 * Posts a request to a webhook EventSource, as the seed's API did. The
 * EventSource answers 200 once the event is on the bus, so only a 2xx counts.
 */
export function createHttpDispatcher(opts: HttpDispatcherOptions): Dispatcher {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async dispatch(eventName, body) {
      const url = `${base}/${encodeURIComponent(eventName)}`;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new PlinthError('UNAVAILABLE', `the event source at ${url} cannot be reached`, {
          cause: err,
        });
      }
      // Drain the body so the connection can be reused.
      const text = await res.text().catch(() => '');
      if (!res.ok) {
        throw new PlinthError(
          'UNAVAILABLE',
          `the event source at ${url} refused the event: HTTP ${res.status}${text ? ` ${text.slice(0, 200)}` : ''}`,
          { details: { status: res.status } },
        );
      }
    },
  };
}
