import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPlinthError } from '../errors/index.js';
import type { NodeLogLine } from '../workflows/index.js';

/** A comment line keeps idle connections (and proxies) from timing out. */
const HEARTBEAT_MS = 15_000;

function event(name: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams log lines as Server-Sent Events: `log` events whose id is the
 * line's seq (so a reconnecting client resumes with `Last-Event-ID`), then one
 * `end` event. Stops reading as soon as the client goes away.
 */
export async function streamLogEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  lines: AsyncIterable<NodeLogLine>,
  summary: () => Promise<Record<string, unknown>>,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.write(': streaming logs\n\n');
  let closed = false;
  const gone = new Promise<void>((resolve) => {
    res.on('close', () => {
      closed = true;
      resolve();
    });
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const iterator = lines[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), gone.then(() => undefined)]);
      if (closed || next === undefined || next.done) break;
      const line = next.value;
      res.write(
        event(
          'log',
          {
            seq: line.seq,
            nodeId: line.nodeId,
            node: line.podName,
            stream: line.stream,
            time: line.time,
            text: line.text,
          },
          line.seq,
        ),
      );
    }
    if (!closed) res.write(event('end', await summary()));
  } catch (err) {
    request.log.error({ err }, 'log stream failed');
    if (!closed) {
      res.write(
        event('error', {
          code: isPlinthError(err) ? err.code : 'INTERNAL',
          detail: 'the log stream failed; reconnect with Last-Event-ID to resume',
        }),
      );
    }
  } finally {
    clearInterval(heartbeat);
    if (closed) void iterator.return?.().catch(() => undefined);
    res.end();
  }
}
