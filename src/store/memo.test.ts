import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from './index.js';
import { testDialects } from './testing/dialects.js';

const dialects = await testDialects();

for (const dialect of dialects) {
  describe(`memo cache repository (${dialect.name})`, () => {
    let dir: string;
    let store: Store;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'plinth-memo-'));
      store = await dialect.open(dir);
    });

    afterAll(async () => {
      await store.close();
      await dialect.destroy(dir);
      rmSync(dir, { recursive: true, force: true });
    });

    it('saves, replaces, records hits and deletes entries per namespace and cache', async () => {
      expect(await store.memos.get('default', 'cache-1', 'k')).toBeUndefined();
      await store.memos.save({
        namespace: 'default',
        cacheName: 'cache-1',
        key: 'k',
        nodeId: 'n1',
        outputs: { result: 'one' },
        createdAt: '2026-01-01T00:00:00Z',
      });
      await store.memos.save({
        namespace: 'other',
        cacheName: 'cache-1',
        key: 'k',
        nodeId: 'n9',
        outputs: { result: 'other' },
        createdAt: '2026-01-01T00:00:00Z',
      });
      await store.memos.save({
        namespace: 'default',
        cacheName: 'cache-1',
        key: 'k',
        nodeId: 'n2',
        outputs: { result: 'two' },
        createdAt: '2026-01-02T00:00:00Z',
      });
      const entry = await store.memos.get('default', 'cache-1', 'k');
      expect(entry).toMatchObject({ nodeId: 'n2', outputs: { result: 'two' }, lastHitAt: null });
      await store.memos.hit('default', 'cache-1', 'k', '2026-01-03T00:00:00Z');
      expect((await store.memos.get('default', 'cache-1', 'k'))?.lastHitAt).toBe(
        '2026-01-03T00:00:00Z',
      );
      expect(await store.memos.delete('default', 'cache-1')).toBe(1);
      expect(await store.memos.get('default', 'cache-1', 'k')).toBeUndefined();
      expect((await store.memos.get('other', 'cache-1', 'k'))?.outputs).toEqual({
        result: 'other',
      });
    });
  });
}
