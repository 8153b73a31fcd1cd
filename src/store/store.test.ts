import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { testDialects } from './testing/dialects.js';
import type { Store, WorkflowRecord } from './types.js';

/** Every store implementation runs the same suite. */
const dialects = await testDialects();

function workflow(
  name: string,
  createdAt: string,
  labels: Record<string, string> = {},
): WorkflowRecord {
  return {
    uid: `uid-${name}`,
    name,
    namespace: 'argo-events',
    labels,
    phase: 'Running',
    requestId: labels['plinth.dev/request-id'] ?? null,
    createdAt,
    finishedAt: null,
    manifest: { metadata: { name } },
    status: { phase: 'Running' },
  };
}

for (const dialect of dialects) {
  describe(`store (${dialect.name})`, () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-store-'));
      store = await dialect.open(dir);
    });
    afterEach(async () => {
      await store.close();
      await dialect.destroy(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('stores workflows with their nodes and finds them by label, request and name', async () => {
      await store.workflows.insert(
        workflow('a', '2026-01-01T00:00:01Z', { 'plinth.dev/request-id': 'r1', k: 'env' }),
      );
      await store.workflows.insert(workflow('b', '2026-01-01T00:00:02Z', { k: 'env' }));
      await store.workflows.insert(workflow('c', '2026-01-01T00:00:03Z', { k: 'app' }));
      await store.workflows.upsertNodes([
        { workflowUid: 'uid-a', nodeId: 'a', node: { id: 'a', phase: 'Running' } },
        { workflowUid: 'uid-a', nodeId: 'a-1', node: { id: 'a-1', phase: 'Pending' } },
      ]);
      await store.workflows.upsertNodes([
        { workflowUid: 'uid-a', nodeId: 'a-1', node: { id: 'a-1', phase: 'Succeeded' } },
      ]);
      const nodes = await store.workflows.nodes('uid-a');
      expect(nodes.map((n) => n.node)).toEqual(
        expect.arrayContaining([
          { id: 'a', phase: 'Running' },
          { id: 'a-1', phase: 'Succeeded' },
        ]),
      );
      expect(
        (await store.workflows.list({ labels: { k: 'env' } })).items.map((w) => w.name),
      ).toEqual(['b', 'a']);
      expect((await store.workflows.list({ requestId: 'r1' })).items.map((w) => w.name)).toEqual([
        'a',
      ]);
      expect((await store.workflows.findByName('c'))[0]?.labels).toEqual({ k: 'app' });
      await store.workflows.update('uid-a', {
        phase: 'Succeeded',
        finishedAt: '2026-01-01T00:01:00Z',
        labels: { k: 'done' },
      });
      expect((await store.workflows.get('uid-a'))?.phase).toBe('Succeeded');
      expect(
        (await store.workflows.list({ labels: { k: 'env' } })).items.map((w) => w.name),
      ).toEqual(['b']);
    });

    it('refuses a second workflow of the same name in a namespace', async () => {
      await store.workflows.insert(workflow('a', '2026-01-01T00:00:01Z'));
      const err = await store.workflows
        .insert({ ...workflow('a', '2026-01-01T00:00:02Z'), uid: 'other' })
        .catch((e: unknown) => e);
      expect(isPlinthError(err, 'CONFLICT')).toBe(true);
    });

    it('pages newest first with a cursor and refuses a forged cursor', async () => {
      for (let i = 0; i < 5; i++)
        await store.workflows.insert(workflow(`w${i}`, `2026-01-01T00:00:0${i}Z`));
      const first = await store.workflows.list({ limit: 2 });
      expect(first.items.map((w) => w.name)).toEqual(['w4', 'w3']);
      const second = await store.workflows.list({ limit: 2, cursor: first.nextCursor });
      expect(second.items.map((w) => w.name)).toEqual(['w2', 'w1']);
      const third = await store.workflows.list({ limit: 2, cursor: second.nextCursor });
      expect(third.items.map((w) => w.name)).toEqual(['w0']);
      expect(third.nextCursor).toBeUndefined();
      const err = await store.workflows.list({ cursor: 'nope' }).catch((e: unknown) => e);
      expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    });

    it('keeps log lines in order with a cursor', async () => {
      await store.logs.append([
        { workflowUid: 'u', nodeId: 'n1', stream: 'stdout', time: 't', text: 'one' },
        { workflowUid: 'u', nodeId: 'n2', stream: 'stderr', time: 't', text: 'two' },
        { workflowUid: 'u', nodeId: 'n1', stream: 'stdout', time: 't', text: 'three' },
      ]);
      const all = await store.logs.read('u');
      expect(all.map((l) => l.text)).toEqual(['one', 'two', 'three']);
      expect((await store.logs.read('u', { nodeId: 'n1' })).map((l) => l.text)).toEqual([
        'one',
        'three',
      ]);
      expect((await store.logs.read('u', { afterSeq: all[1]!.seq })).map((l) => l.text)).toEqual([
        'three',
      ]);
    });

    it('lets one of two creates of an environment win and reuses a destroyed name', async () => {
      const env = {
        name: 'demo',
        team: null,
        status: 'Provisioning',
        inputs: { region: 'eastus2' },
        outputs: {},
        lastRequestId: 'r1',
        message: null,
        createdBy: 'admin',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      };
      const results = await Promise.allSettled([
        store.environments.insert(env),
        store.environments.insert(env),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await store.environments.update('demo', { status: 'Ready' }, ['Destroying'])).toBe(
        false,
      );
      expect(
        await store.environments.update('demo', { status: 'Destroyed' }, ['Provisioning']),
      ).toBe(true);
      await store.environments.insert({ ...env, lastRequestId: 'r2' });
      expect((await store.environments.get('demo'))?.lastRequestId).toBe('r2');
    });

    it('survives a reopen', async () => {
      await store.tokens.insert({
        id: 't1',
        name: 'admin',
        role: 'admin',
        team: null,
        hash: 'h',
        createdAt: 'now',
        expiresAt: null,
        revokedAt: null,
        lastUsedAt: null,
      });
      await store.close();
      store = await dialect.open(dir);
      expect(await store.tokens.count()).toBe(1);
      expect((await store.tokens.findByHash('h'))?.name).toBe('admin');
    });
  });
}
