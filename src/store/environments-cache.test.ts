import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from './testing/dialects.js';
import type { EnvironmentRecord, Store } from './types.js';

function environment(name: string): EnvironmentRecord {
  return {
    name,
    team: 'payments',
    status: 'Provisioning',
    inputs: { region: 'eastus2' },
    outputs: {},
    lastRequestId: 'req-1',
    message: null,
    createdBy: 'alice',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

const dialects = await testDialects();

// Reads by name may be served from memory; they must never answer what a finished write replaced.
for (const dialect of dialects) {
  describe(`environment reads by name (${dialect.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await dialect.open();
      await store.environments.insert(environment('web'));
    });
    afterEach(async () => {
      await store.close();
    });

    it('answer every write once it has ended', async () => {
      expect(await store.environments.get('web')).toMatchObject({ status: 'Provisioning' });
      await store.environments.update('web', { status: 'Ready', outputs: { url: 'u1' } });
      expect(await store.environments.get('web')).toMatchObject({
        status: 'Ready',
        outputs: { url: 'u1' },
      });
      // A read that started before a write and ended after it is not kept.
      const racing = store.environments.get('web');
      const writing = store.environments.update('web', { message: 'changed' });
      await Promise.all([racing, writing]);
      expect((await store.environments.get('web'))?.message).toBe('changed');
      // A refused compare-and-set changes nothing.
      expect(await store.environments.update('web', { status: 'Failed' }, ['Destroying'])).toBe(
        false,
      );
      expect((await store.environments.get('web'))?.status).toBe('Ready');
      await store.environments.update('web', { status: 'Destroyed' });
      await store.environments.delete('web');
      expect(await store.environments.get('web')).toBeUndefined();
      await store.environments.insert({ ...environment('web'), team: 'search' });
      expect((await store.environments.get('web'))?.team).toBe('search');
    });

    it('cannot be changed by a reader for the next one', async () => {
      const first = await store.environments.get('web');
      if (!first) throw new Error('not found');
      try {
        // A shared (cached) record is frozen and refuses; a fresh one takes it, alone.
        (first.inputs as Record<string, unknown>)['region'] = 'westus';
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
      }
      expect((await store.environments.get('web'))?.inputs).toEqual({ region: 'eastus2' });
    });
  });
}

const postgres = dialects.find((d) => d.name === 'postgres');

// Several processes share one PostgreSQL: a write through one is read by the others at once.
describe.skipIf(!postgres)('environment reads across processes (postgres)', () => {
  let dir: string;
  let a: Store;
  let b: Store;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-env-cache-'));
    a = await postgres!.open(dir);
    b = await postgres!.open(dir);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await postgres!.destroy(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees a write made by another process on the next read', async () => {
    await a.environments.insert(environment('api'));
    expect((await b.environments.get('api'))?.status).toBe('Provisioning');
    await a.environments.update('api', { status: 'Ready' });
    expect((await b.environments.get('api'))?.status).toBe('Ready');
  });
});
