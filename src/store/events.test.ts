import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { testDialects } from './testing/dialects.js';
import type { EventRecord, Store } from './types.js';

/** Every store implementation runs the same suite. */
const dialects = await testDialects();

function event(id: string, receivedAt: string, over: Partial<EventRecord> = {}): EventRecord {
  return {
    id,
    source: 'webhook',
    subject: 'environments',
    type: 'webhook',
    time: receivedAt,
    datacontenttype: 'application/json',
    data: { header: {}, body: { id } },
    replayOf: null,
    receivedAt,
    ...over,
  };
}

function decision(eventId: string, sensor: string, fired: boolean, at = '2026-01-01T00:00:09Z') {
  return {
    eventId,
    sensor,
    fired,
    decision: { sensor, eventId, dependencies: [], triggers: [{ name: 't', fired }] },
    decidedAt: at,
  };
}

for (const dialect of dialects) {
  describe(`event log (${dialect.name})`, () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-store-events-'));
      store = await dialect.open(dir);
    });
    afterEach(async () => {
      await store.close();
      await dialect.destroy(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('keeps an event once: a second insert of its id changes nothing', async () => {
      expect(await store.events.insert(event('e1', '2026-01-01T00:00:01Z'))).toBe(true);
      expect(
        await store.events.insert(
          event('e1', '2026-01-01T00:00:05Z', { source: 'other', data: { changed: true } }),
        ),
      ).toBe(false);
      expect(await store.events.get('e1')).toEqual(event('e1', '2026-01-01T00:00:01Z'));
      expect(await store.events.get('nope')).toBeUndefined();
    });

    it('keeps a payload that is not JSON as its text, and no payload as null', async () => {
      await store.events.insert(
        event('t', '2026-01-01T00:00:01Z', { datacontenttype: 'text/plain', data: 'hello' }),
      );
      await store.events.insert(event('n', '2026-01-01T00:00:02Z', { data: undefined }));
      expect((await store.events.get('t'))?.data).toBe('hello');
      expect((await store.events.get('n'))?.data).toBeNull();
    });

    it('appends decisions, never replacing one, oldest first', async () => {
      const first = await store.events.appendDecision(decision('e1', 'ns/a', false));
      const second = await store.events.appendDecision(decision('e1', 'ns/a', true));
      await store.events.appendDecision(decision('e2', 'ns/b', true));
      expect(second).toBeGreaterThan(first);
      const found = await store.events.decisions(['e1']);
      expect(found.map((d) => [d.seq, d.sensor, d.fired])).toEqual([
        [first, 'ns/a', false],
        [second, 'ns/a', true],
      ]);
      expect(found[1]?.decision).toMatchObject({ triggers: [{ name: 't', fired: true }] });
      expect(await store.events.decisions([])).toEqual([]);
      expect((await store.events.decisions(['e1', 'e2'])).map((d) => d.eventId)).toEqual([
        'e1',
        'e1',
        'e2',
      ]);
    });

    it('filters by context, time, sensor and whether a trigger fired', async () => {
      await store.events.insert(event('a', '2026-01-01T00:00:01Z'));
      await store.events.insert(event('b', '2026-01-01T00:00:02Z', { subject: 'apps' }));
      await store.events.insert(event('c', '2026-01-01T00:00:03Z', { source: 'github' }));
      await store.events.insert(event('d', '2026-01-01T00:00:04Z', { type: 'calendar' }));
      await store.events.appendDecision(decision('a', 'argo-events/env', true));
      await store.events.appendDecision(decision('a', 'argo-events/app', false));
      await store.events.appendDecision(decision('b', 'argo-events/app', false));
      await store.events.appendDecision(decision('c', 'other/env', false));
      const ids = async (filter: Parameters<Store['events']['list']>[0]) =>
        (await store.events.list(filter)).items.map((e) => e.id);

      expect(await ids({})).toEqual(['d', 'c', 'b', 'a']);
      expect(await ids({ source: 'webhook' })).toEqual(['d', 'b', 'a']);
      expect(await ids({ subject: 'apps' })).toEqual(['b']);
      expect(await ids({ type: 'calendar' })).toEqual(['d']);
      expect(await ids({ since: '2026-01-01T00:00:02Z', until: '2026-01-01T00:00:04Z' })).toEqual([
        'c',
        'b',
      ]);
      expect(await ids({ fired: true })).toEqual(['a']);
      expect(await ids({ fired: false })).toEqual(['d', 'c', 'b']);
      expect(await ids({ sensor: 'env' })).toEqual(['c', 'a']);
      expect(await ids({ sensor: 'argo-events/env' })).toEqual(['a']);
      expect(await ids({ sensor: 'app', fired: false })).toEqual(['b', 'a']);
      expect(await ids({ sensor: 'env', fired: true })).toEqual(['a']);
      const summary = (await store.events.list({ subject: 'apps' })).items[0];
      expect(summary).toEqual({
        id: 'b',
        source: 'webhook',
        subject: 'apps',
        type: 'webhook',
        time: '2026-01-01T00:00:02Z',
        replayOf: null,
        receivedAt: '2026-01-01T00:00:02Z',
      });
    });

    it('pages newest first with a cursor, ties broken by id, and refuses a forged cursor', async () => {
      for (const id of ['x1', 'x2', 'x3'])
        await store.events.insert(event(id, '2026-01-01T00:00:01Z'));
      await store.events.insert(event('y', '2026-01-01T00:00:02Z'));
      const first = await store.events.list({ limit: 2 });
      expect(first.items.map((e) => e.id)).toEqual(['y', 'x3']);
      const second = await store.events.list({ limit: 2, cursor: first.nextCursor });
      expect(second.items.map((e) => e.id)).toEqual(['x2', 'x1']);
      expect(second.nextCursor).toBeUndefined();
      const err = await store.events.list({ cursor: 'forged' }).catch((e: unknown) => e);
      expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    });

    it('keeps events and decisions across a reopen', async () => {
      await store.events.insert(event('e1', '2026-01-01T00:00:01Z', { replayOf: 'e0' }));
      await store.events.appendDecision(decision('e1', 'ns/a', true));
      await store.close();
      store = await dialect.open(dir);
      expect((await store.events.get('e1'))?.replayOf).toBe('e0');
      expect(await store.events.decisions(['e1'])).toHaveLength(1);
    });
  });
}
