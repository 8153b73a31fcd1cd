import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from './testing/dialects.js';
import type { Store, WorkflowRecord } from './types.js';

const dialects = await testDialects();
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';

function workflow(name: string, phase: string): WorkflowRecord {
  return {
    uid: `uid-${name}`,
    name,
    namespace: 'ns',
    labels: {},
    phase,
    requestId: null,
    createdAt: T0,
    finishedAt: null,
    manifest: {},
    status: {},
  };
}

for (const dialect of dialects) {
  describe(`what N processes share (${dialect.name})`, () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-cluster-store-'));
      store = await dialect.open(dir);
    });
    afterEach(async () => {
      await store.close();
      await dialect.destroy(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('passes an operation on a run from the asker to the owner and back, each step once', async () => {
      const ops = store.runOperations;
      const base = { workflowUid: 'wf', owner: 'a', operation: 'resume', requestedAt: T0 };
      await ops.request({ ...base, id: 'op-1', args: { options: { actor: 'x' } } });
      await ops.request({ ...base, id: 'op-2', args: {} });
      expect((await ops.pending('a')).map((o) => o.id)).toEqual(['op-1', 'op-2']);
      expect(await ops.pending('b')).toEqual([]);
      expect(await ops.take('op-1')).toBe(true);
      expect(await ops.take('op-1')).toBe(false);
      // Taken: the asker can no longer withdraw it; a pending one it can.
      expect(await ops.withdraw('op-1')).toBe(false);
      expect(await ops.withdraw('op-2')).toBe(true);
      await ops.answer('op-1', { code: 'NOT_WAITING', message: 'no' }, T1);
      expect(await ops.get('op-1')).toMatchObject({
        state: 'done',
        args: { options: { actor: 'x' } },
        error: { code: 'NOT_WAITING', message: 'no' },
        answeredAt: T1,
      });
      await ops.remove('op-1');
      expect(await ops.get('op-1')).toBeUndefined();
      await ops.request({ ...base, id: 'op-3', args: {} });
      expect(await ops.prune(T1)).toBe(1);
    });

    it('holds a mutex for one holder, queues the rest in order, and clears ended Workflows', async () => {
      const locks = store.syncLocks;
      const lock = 'ns/Mutex/m';
      const ask = (holder: string) =>
        locks.take({
          lock,
          limit: 1,
          holder,
          workflow: holder.split('/').slice(0, 2).join('/'),
          now: T0,
        });
      expect(await ask('ns/one')).toBe(true);
      expect(await ask('ns/one')).toBe(true);
      expect(await ask('ns/two/node-1')).toBe(false);
      await locks.wait({ lock, holder: 'ns/two/node-1', workflow: 'ns/two', now: T0 });
      await locks.wait({ lock, holder: 'ns/three', workflow: 'ns/three', now: T1 });
      await locks.releaseAllOf('ns/one');
      expect(await ask('ns/three')).toBe(false);
      expect(await ask('ns/two/node-1')).toBe(true);
      expect(await locks.holders(lock)).toEqual(['ns/two/node-1']);

      await store.workflows.insert(workflow('two', 'Running'));
      await store.workflows.insert(workflow('three', 'Succeeded'));
      // two is running: it keeps its slot; three has ended: its place in the queue goes.
      expect(await locks.purge()).toBe(1);
      expect(await locks.holders(lock)).toEqual(['ns/two/node-1']);
      await locks.release('ns/two/node-1', [lock]);
      expect(await locks.holders(lock)).toEqual([]);
    });
  });
}
