import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyRequestLogger } from './request-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const parent = pino({ level: 'info' }, destination);
  const child = vi.spyOn(parent, 'child');
  return { lines, parent: parent as unknown as FastifyBaseLogger, child };
}

describe('lazyRequestLogger', () => {
  it('makes no child logger for lines below the level, and writes none', () => {
    const { lines, parent, child } = capture();
    const log = lazyRequestLogger(parent, { reqId: 'r-1' }, {});
    log.debug({ statusCode: 200 }, 'request answered');
    log.trace('nothing');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect(log.level).toBe('info');
  });

  it('writes enabled lines through one child bound to the request id', () => {
    const { lines, parent, child } = capture();
    const log = lazyRequestLogger(parent, { reqId: 'r-2' }, {});
    log.info({ code: 'PLN-1' }, 'request refused');
    log.error('request failed');
    log.debug('still below the level');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l['reqId'], l['msg']])).toEqual([
      ['r-2', 'request refused'],
      ['r-2', 'request failed'],
    ]);
    expect(lines[0]?.['code']).toBe('PLN-1');
  });

  it('follows a level raised on the request', () => {
    const { lines, parent } = capture();
    const log = lazyRequestLogger(parent, { reqId: 'r-3' }, {});
    log.level = 'debug';
    log.debug('now written');
    expect(lines.map((l) => l['msg'])).toEqual(['now written']);
  });
});
