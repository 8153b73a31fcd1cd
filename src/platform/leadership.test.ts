import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, type Store } from '../store/index.js';
import { createWorkflowEngine, type Leadership, type WorkflowEngine } from '../workflows/index.js';
import { createPlatform, type Platform } from './index.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A leadership the test hands out and takes back. */
function leadership(): Leadership & { set(leading: boolean): Promise<void> } {
  const watchers = new Set<(leading: boolean) => void | Promise<void>>();
  let leading = false;
  return {
    get leading() {
      return leading;
    },
    watch(fn) {
      watchers.add(fn);
      if (leading) void fn(true);
      return () => watchers.delete(fn);
    },
    async set(now) {
      leading = now;
      await Promise.all([...watchers].map((fn) => fn(now)));
    },
  };
}

describe('the TTL schedule under a leader lease', () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let passes: number;
  const lead = leadership();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-leadership-'));
    store = await createSqliteStore({ filename: ':memory:' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir });
    passes = 0;
    // Each TTL pass starts by asking for the environments that expire.
    const counted: Store = {
      ...store,
      environments: {
        ...store.environments,
        listExpiring: (...args) => {
          passes++;
          return store.environments.listExpiring(...args);
        },
      },
    };
    platform = createPlatform({
      store: counted,
      engine,
      dispatcher: { dispatch: () => Promise.resolve() },
      logger,
      ttlCheckIntervalMs: 20,
      leadership: lead,
    });
    await platform.start();
  });
  afterEach(async () => {
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs only while this process leads', async () => {
    await sleep(120);
    expect(passes).toBe(0);
    await lead.set(true);
    await sleep(120);
    expect(passes).toBeGreaterThan(0);
    await lead.set(false);
    const after = passes;
    await sleep(120);
    expect(passes).toBe(after);
  });
});
