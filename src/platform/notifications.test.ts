import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, parseNotificationTargets, signatureOf } from './notifications.js';
import { DEFAULT_TIER_POLICY, approvalRequired, parseTierPolicy } from './tiers.js';

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
