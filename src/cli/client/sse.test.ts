import { describe, it, expect } from 'vitest';
import { parseEventStream, type ServerSentEvent } from './sse.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const e of parseEventStream(streamOf(chunks))) events.push(e);
  return events;
}

describe('parseEventStream', () => {
  it('reads ids, types and data, whatever the chunk boundaries', async () => {
    const text =
      ': hello\nid: 1\ndata: {"a":1}\n\nid: 2\ndata: line one\ndata:line two\n\nevent: end\n\n';
    const whole = await collect([text]);
    const bytewise = await collect([...text]);
    expect(whole).toEqual([
      { id: '1', event: 'message', data: '{"a":1}' },
      { id: '2', event: 'message', data: 'line one\nline two' },
      { id: '2', event: 'end', data: '' },
    ]);
    expect(bytewise).toEqual(whole);
  });

  it('accepts CRLF and CR line ends, split between chunks', async () => {
    expect(await collect(['data: x\r', '\n\r', '\ndata: y\r\r'])).toEqual([
      { event: 'message', data: 'x' },
      { event: 'message', data: 'y' },
    ]);
  });

  it('drops an event left unterminated when the stream ends', async () => {
    expect(await collect(['data: done\n\n', 'data: partial'])).toEqual([
      { event: 'message', data: 'done' },
    ]);
  });
});
