import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchesCondition, parseCondition } from './resource-condition.js';
import { SyncManager } from './sync.js';

describe('lock manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-sync-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names locks as Argo does and refuses a semaphore without a ConfigMap key', () => {
    expect(
      SyncManager.locksOf(
        {
          mutex: { name: 'm' },
          semaphores: [{ configMapKeyRef: { name: 'cm', key: 'k' }, namespace: 'other' }],
        },
        'default',
      ).map((l) => l.name),
    ).toEqual(['default/Mutex/m', 'other/ConfigMap/cm/k']);
    expect(() => SyncManager.locksOf({ semaphores: [{}] }, 'default')).toThrow(/configMapKeyRef/);
  });

  it('lets a semaphore hold its ConfigMap limit, first come first served', () => {
    mkdirSync(join(dir, 'cm'), { recursive: true });
    writeFileSync(join(dir, 'cm', 'two'), '2');
    const sync = new SyncManager({ configDir: dir });
    const [sem] = SyncManager.locksOf(
      { semaphore: { configMapKeyRef: { name: 'cm', key: 'two' } } },
      'ns',
    );
    const woken: string[] = [];
    expect(sync.tryAcquire('ns/a', [sem!], () => woken.push('a')).acquired).toBe(true);
    expect(sync.tryAcquire('ns/b', [sem!], () => woken.push('b')).acquired).toBe(true);
    expect(sync.tryAcquire('ns/c', [sem!], () => woken.push('c'))).toEqual({
      acquired: false,
      message: 'Waiting for ns/ConfigMap/cm/two lock. Limit reached: 2/2',
      waitingOn: 'ns/ConfigMap/cm/two',
      holders: ['ns/a', 'ns/b'],
    });
    expect(sync.tryAcquire('ns/d', [sem!], () => woken.push('d')).acquired).toBe(false);
    sync.release('ns/a');
    expect(woken).toEqual(['c', 'd']);
    // d came later: it waits behind c even though a slot is free.
    expect(sync.tryAcquire('ns/d', [sem!], () => undefined)).toMatchObject({
      acquired: false,
      message: 'Waiting for ns/ConfigMap/cm/two lock. Available queue status: 1/2',
    });
    expect(sync.tryAcquire('ns/c', [sem!], () => undefined).acquired).toBe(true);
    // Holding twice is holding once.
    expect(sync.tryAcquire('ns/c', [sem!], () => undefined).acquired).toBe(true);
  });

  it('uses a limit of 1 when the ConfigMap key is missing, and takes all locks or none', () => {
    const sync = new SyncManager({ configDir: dir });
    const locks = SyncManager.locksOf(
      { mutexes: [{ name: 'x' }], semaphores: [{ configMapKeyRef: { name: 'none', key: 'k' } }] },
      'ns',
    );
    expect(sync.tryAcquire('ns/a', locks.slice(1), () => undefined).acquired).toBe(true);
    expect(sync.tryAcquire('ns/b', locks, () => undefined)).toMatchObject({
      acquired: false,
      message: `Waiting for ns/ConfigMap/none/k lock. Limit reached: 1/1 (no limit in ${join(dir, 'none', 'k')} (the ConfigMap key); using a limit of 1)`,
    });
    // b holds neither, but queues on both: the free mutex waits for b first, as in Argo.
    expect(sync.tryAcquire('ns/c', locks.slice(0, 1), () => undefined)).toMatchObject({
      acquired: false,
      message: 'Waiting for ns/Mutex/x lock. Available queue status: 1/1',
    });
    sync.releaseAllOf('ns/b');
    expect(sync.tryAcquire('ns/c', locks.slice(0, 1), () => undefined).acquired).toBe(true);
    sync.releaseAllOf('ns/c');
    sync.restore('ns/z/node', 'ns/Mutex/x');
    expect(sync.tryAcquire('ns/d', locks.slice(0, 1), () => undefined).acquired).toBe(false);
  });
});

describe('resource conditions', () => {
  const child = {
    metadata: { name: 'c', labels: { app: 'x' } },
    status: { phase: 'Failed', succeeded: 3 },
  };

  it('matches label-selector requirements over fields', () => {
    const yes = [
      'status.phase == Failed',
      'status.phase = Failed',
      'status.phase in (Failed, Error)',
      'status.phase notin (Succeeded)',
      'status.phase != Succeeded',
      'status.succeeded > 2',
      'status.succeeded < 4',
      'metadata.labels.app',
      '!status.finishedAt',
      'status.phase == Failed, status.succeeded > 0',
    ];
    for (const c of yes) expect(matchesCondition(child, parseCondition(c)), c).toBe(true);
    const no = [
      'status.phase == Succeeded',
      'status.phase in (Succeeded)',
      'status.succeeded > 3',
      'status.finishedAt',
      'status.phase == Failed, status.succeeded > 5',
      'status.missing > 1',
    ];
    for (const c of no) expect(matchesCondition(child, parseCondition(c)), c).toBe(false);
  });

  it('refuses what is not a requirement', () => {
    expect(() => parseCondition('status.phase >= 1')).toThrow(/invalid condition/);
    expect(() => parseCondition('status.succeeded > many')).toThrow(/invalid condition/);
  });
});
