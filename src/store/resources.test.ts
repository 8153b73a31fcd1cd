import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { testDialects } from './testing/dialects.js';
import type { ResourceRecord, Store } from './types.js';

function resource(kind: string, name: string, createdAt: string): ResourceRecord {
  return {
    kind,
    name,
    team: 'payments',
    status: 'Provisioning',
    inputs: { region: 'eastus2' },
    outputs: {},
    lastRequestId: `req-${name}`,
    message: null,
    createdBy: 'alice',
    createdAt,
    updatedAt: createdAt,
  };
}

const dialects = await testDialects();

for (const dialect of dialects) {
  describe(`resources (${dialect.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await dialect.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('inserts once per kind and name, and compares-and-sets the status', async () => {
      await store.resources.insert(resource('compute', 'compute-1', '2026-01-01T00:00:00Z'));
      // The same name in another kind is another resource.
      await store.resources.insert(resource('storage', 'compute-1', '2026-01-01T00:00:00Z'));
      const again = await store.resources
        .insert(resource('compute', 'compute-1', '2026-01-02T00:00:00Z'))
        .catch((e: unknown) => e);
      expect(isPlinthError(again, 'CONFLICT')).toBe(true);

      expect(
        await store.resources.update(
          'compute',
          'compute-1',
          { status: 'Ready', outputs: { id: 'x' } },
          ['Provisioning'],
        ),
      ).toBe(true);
      expect(
        await store.resources.update('compute', 'compute-1', { status: 'Failed' }, [
          'Provisioning',
        ]),
      ).toBe(false);
      expect(await store.resources.get('compute', 'compute-1')).toMatchObject({
        status: 'Ready',
        outputs: { id: 'x' },
        inputs: { region: 'eastus2' },
      });
      expect(await store.resources.get('storage', 'compute-1')).toMatchObject({
        status: 'Provisioning',
      });
      expect(await store.resources.get('database', 'compute-1')).toBeUndefined();
    });

    it('lists newest first, by kind and status, a page at a time', async () => {
      const same = '2026-01-01T00:00:00Z';
      await store.resources.insert(resource('compute', 'a', same));
      await store.resources.insert(resource('compute', 'b', same));
      await store.resources.insert(resource('storage', 'a', same));
      await store.resources.insert(resource('database', 'z', '2026-01-02T00:00:00Z'));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.resources.list({ limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((r) => `${r.kind}/${r.name}`));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['database/z', 'storage/a', 'compute/b', 'compute/a']);
      const computes = await store.resources.list({ kind: 'compute' });
      expect(computes.items.map((r) => r.name)).toEqual(['b', 'a']);
      await store.resources.update('compute', 'a', { status: 'Ready' });
      const ready = await store.resources.list({ status: 'Ready' });
      expect(ready.items.map((r) => `${r.kind}/${r.name}`)).toEqual(['compute/a']);
    });
  });
}
