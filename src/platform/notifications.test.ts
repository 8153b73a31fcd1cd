import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createSqliteStore, type Store } from '../store/index.js';
import type { Workflow } from '../workflows/index.js';
import { createNotifier, parseNotificationTargets, signatureOf } from './notifications.js';
import { DEFAULT_TIER_POLICY, approvalRequired, parseTierPolicy } from '../catalog/index.js';

interface Hit {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A webhook receiver on port 0 that answers each POST with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []) {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      hits.push({ headers: req.headers, raw });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    hits,
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise((r) => server.close(r)),
  };
}

const logger = pino({ level: 'silent' });
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A webhook receiver that holds every request open (a delivery cut off by a restart). */
async function hangingReceiver() {
  let seen = 0;
  const server: Server = createServer((req) => {
    req.resume();
    seen++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    seen: () => seen,
    url: `http://127.0.0.1:${port}/hook`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

/** An engine that reports the given Workflows to each watcher, as one does again after a restart. */
function engineReporting(...workflows: Workflow[]) {
  return {
    onChange(listener: (wf: Workflow) => void) {
      for (const wf of workflows) listener(wf);
      return () => undefined;
    },
  };
}

function workflowFixture(file: string): Workflow {
  return parseYaml(
    fs.readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8'),
  ) as Workflow;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('notifications across a restart', () => {
  async function openStore(): Promise<{ store: Store; reopen: () => Promise<Store> }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-notify-'));
    const filename = path.join(dir, 'plinth.db');
    closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return {
      store: await createSqliteStore({ filename }),
      reopen: () => createSqliteStore({ filename }),
    };
  }

  it('does not send the same approval request again when a new process sees the same run', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const { store, reopen } = await openStore();
    const waiting = workflowFixture('run-waiting-for-approval.yaml');

    const first = createNotifier({ targets: [{ url: hook.url }], logger, store });
    first.watch(engineReporting(waiting, waiting));
    await first.settled();
    await first.stop();
    await store.close();
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.raw)).toMatchObject({
      event: 'approval.needed',
      runId: 'environment-x7k2p',
      environment: 'demo',
    });

    const again = await reopen();
    closers.push(() => again.close());
    const second = createNotifier({ targets: [{ url: hook.url }], logger, store: again });
    await second.resume();
    second.watch(engineReporting(waiting));
    await second.settled();
    expect(hook.hits).toHaveLength(1);
    expect(await again.notifications.pending()).toEqual([]);
  });

  it('delivers after a restart what the stopped process had not delivered, with the same delivery id', async () => {
    const down = await hangingReceiver();
    closers.push(down.close);
    const { store, reopen } = await openStore();
    const target = { name: 'ops', url: down.url };

    const first = createNotifier({ targets: [target], logger, store });
    first.notify({
      event: 'request.accepted',
      summary: 'Request accepted: create environment demo',
    });
    await until(() => down.seen() === 1, 'the first attempt');
    await first.stop();
    await store.close();

    const again = await reopen();
    closers.push(() => again.close());
    const [left] = await again.notifications.pending();
    expect(left).toMatchObject({ target: 'ops', state: 'pending' });

    const hook = await receiver();
    closers.push(hook.close);
    const second = createNotifier({
      targets: [{ name: 'ops', url: hook.url }],
      logger,
      store: again,
    });
    await second.resume();
    await second.settled();
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.raw)).toMatchObject({
      event: 'request.accepted',
      id: left?.notification['id'],
    });
    expect(hook.hits[0]!.headers['x-plinth-delivery']).toBe(left?.notification['id']);
    expect(await again.notifications.pending()).toEqual([]);
  });
});

describe('notifications', () => {
  it('retries a failing receiver with backoff, without making the caller wait', async () => {
    const hook = await receiver([503, 500]);
    closers.push(hook.close);
    const notifier = createNotifier({ targets: [{ url: hook.url }], logger, backoffMs: 20 });
    // notify hands the work off: it returns before the receiver has seen anything.
    const result: unknown = notifier.notify({
      event: 'run.failed',
      summary: 'Failed: create of environment dev',
      runId: 'r1',
    });
    expect(result).toBeUndefined();
    expect(hook.hits).toHaveLength(0);
    await notifier.settled();
    expect(hook.hits).toHaveLength(3);
    const ids = hook.hits.map((h) => h.headers['x-plinth-delivery']);
    expect(new Set(ids).size).toBe(1);
    expect(JSON.parse(hook.hits[2]!.raw)).toMatchObject({ event: 'run.failed', runId: 'r1' });
    expect(hook.hits[0]!.headers['x-plinth-signature-256']).toBeUndefined();
  });

  it('gives up after its attempts and on a 4xx', async () => {
    const hook = await receiver([500, 500, 404]);
    closers.push(hook.close);
    const notifier = createNotifier({
      targets: [{ url: hook.url }],
      logger,
      attempts: 2,
      backoffMs: 5,
    });
    notifier.notify({ event: 'run.failed', summary: 'x' });
    await notifier.settled();
    expect(hook.hits).toHaveLength(2);
    notifier.notify({ event: 'run.failed', summary: 'y' });
    await notifier.settled();
    expect(hook.hits).toHaveLength(3);
  });

  it('sends Slack messages, signed, only for the events a target asks for', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const notifier = createNotifier({
      targets: [
        {
          url: hook.url,
          format: 'slack',
          events: ['approval.needed'],
          secret: { kind: 'secret', name: 'slack', key: 'signing' },
        },
      ],
      logger,
      secrets: { resolve: async () => 's3cret' },
    });
    notifier.notify({ event: 'request.accepted', summary: 'ignored' });
    notifier.notify({
      event: 'approval.needed',
      summary: 'Approval needed: create of environment dev',
      environment: 'dev',
      runId: 'environment-abc',
    });
    await notifier.settled();
    expect(hook.hits).toHaveLength(1);
    const hit = hook.hits[0]!;
    expect(hit.headers['x-plinth-signature-256']).toBe(signatureOf('s3cret', hit.raw));
    expect(hit.raw).not.toContain('s3cret');
    const body = JSON.parse(hit.raw) as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe('Approval needed: create of environment dev');
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'context']);
  });
});

describe('notification targets', () => {
  it('reads targets with a secret reference, and refuses an inline key or an unknown event', () => {
    expect(
      parseNotificationTargets({
        targets: [
          {
            url: 'https://hooks.slack.com/services/T/B/X',
            format: 'slack',
            events: ['approval.needed'],
            secret: { name: 'slack', key: 'signing' },
          },
        ],
      }),
    ).toEqual([
      {
        url: 'https://hooks.slack.com/services/T/B/X',
        format: 'slack',
        events: ['approval.needed'],
        secret: { kind: 'secret', name: 'slack', key: 'signing' },
      },
    ]);
    expect(() =>
      parseNotificationTargets({ targets: [{ url: 'https://x', secret: 'hunter2' }] }),
    ).toThrow(/targets\[0\]\.secret/);
    expect(() => parseNotificationTargets([{ url: 'https://x', events: ['deployed'] }])).toThrow(
      /targets\[0\]\.events/,
    );
    expect(() => parseNotificationTargets([{ url: 'ftp://x' }])).toThrow(/url/);
  });
});

describe('tier policy', () => {
  it('asks for approval of every request, never of an expiry, and lets a policy skip it', () => {
    expect(approvalRequired(DEFAULT_TIER_POLICY, 'development', 'create')).toBe(true);
    expect(approvalRequired(DEFAULT_TIER_POLICY, 'development', 'expire')).toBe(false);
    const fast = parseTierPolicy({ tiers: { development: { approval: 'none' } } });
    expect(approvalRequired(fast, 'development', 'create')).toBe(false);
    expect(approvalRequired(fast, 'development', 'delete')).toBe(false);
    expect(approvalRequired(DEFAULT_TIER_POLICY, 'staging', 'update')).toBe(true);
    expect(approvalRequired(DEFAULT_TIER_POLICY, 'production', 'delete')).toBe(true);
    expect(approvalRequired(DEFAULT_TIER_POLICY, 'unknown', 'create')).toBe(true);
  });

  it('refuses a policy with an unknown rule or action, naming the tier', () => {
    expect(() => parseTierPolicy({ tiers: { qa: { approval: 'maybe' } } })).toThrow(
      /tiers\.qa\.approval must be one of none, team-approver, another-approver/,
    );
    expect(() =>
      parseTierPolicy({ tiers: { qa: { approval: 'none', needsApproval: ['deploy'] } } }),
    ).toThrow(/tiers\.qa\.needsApproval/);
    expect(parseTierPolicy({ tiers: { qa: { approval: 'team-approver' } } }).tiers['qa']).toEqual({
      approval: 'team-approver',
      needsApproval: ['create', 'update', 'reconcile', 'delete'],
      expires: true,
    });
  });
});
