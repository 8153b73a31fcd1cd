import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from './testing/dialects.js';
import type { Store } from './types.js';

const dialects = await testDialects();

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:10.000Z';
const T2 = '2026-01-01T00:00:20.000Z';
const T3 = '2026-01-01T00:00:30.000Z';

function request(owner: string, now: string, expiresAt: string, id = 'wf-1') {
  return { kind: 'workflow', id, owner, now, expiresAt };
}

for (const dialect of dialects) {
  describe(`work claims (${dialect.name})`, () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-claims-'));
      store = await dialect.open(dir);
    });
    afterEach(async () => {
      await store.close();
      await dialect.destroy(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('gives a lease to one owner until it expires, then to another', async () => {
      expect(await store.claims.claim(request('a', T0, T2))).toBe(true);
      expect(await store.claims.claim(request('b', T1, T3))).toBe(false);
      expect(await store.claims.claim(request('a', T1, T3))).toBe(true);
      expect(await store.claims.owner('workflow', 'wf-1')).toEqual({ owner: 'a', expiresAt: T3 });
      const later = '2026-01-01T00:00:31.000Z';
      expect(await store.claims.claim(request('b', later, '2026-01-01T00:01:00.000Z'))).toBe(true);
      expect((await store.claims.owner('workflow', 'wf-1'))?.owner).toBe('b');
    });

    it('lets exactly one of many concurrent claimants win', async () => {
      const owners = Array.from({ length: 8 }, (_, i) => `p${i}`);
      const won = await Promise.all(owners.map((o) => store.claims.claim(request(o, T0, T2))));
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = owners[won.indexOf(true)];
      expect((await store.claims.owner('workflow', 'wf-1'))?.owner).toBe(winner);
    });

    it('renews what the owner still holds and reports what was taken over', async () => {
      await store.claims.claim(request('a', T0, T1, 'x'));
      await store.claims.claim(request('a', T0, T1, 'y'));
      await store.claims.claim(request('b', T2, T3, 'y'));
      expect((await store.claims.renew('workflow', 'a', T3)).sort()).toEqual(['x']);
      expect(await store.claims.claim(request('b', T2, T3, 'x'))).toBe(false);
    });

    it('releases only its own lease', async () => {
      await store.claims.claim(request('a', T0, T2));
      await store.claims.release('workflow', 'wf-1', 'b');
      expect((await store.claims.owner('workflow', 'wf-1'))?.owner).toBe('a');
      await store.claims.release('workflow', 'wf-1', 'a');
      expect(await store.claims.claim(request('b', T0, T2))).toBe(true);
      await store.claims.releaseAll('workflow', 'b');
      expect(await store.claims.owner('workflow', 'wf-1')).toBeUndefined();
    });
  });
}
