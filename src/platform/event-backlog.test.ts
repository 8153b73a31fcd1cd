import { describe, expect, it } from 'vitest';
import { createEventBacklog } from './event-backlog.js';

describe('event backlog', () => {
  it('counts events until every sensor has decided them, and ages the oldest', () => {
    let now = Date.parse('2026-11-25T10:00:10Z');
    const backlog = createEventBacklog({ sensorCount: 2, clock: () => new Date(now) });
    expect([backlog.depth(), backlog.lagSeconds()]).toEqual([0, 0]);

    backlog.received('e1', '2026-11-25T10:00:00Z');
    backlog.received('e2', '2026-11-25T10:00:05Z');
    backlog.decided('e1', 'argo-events/environments');
    expect([backlog.depth(), backlog.lagSeconds()]).toEqual([2, 10]);

    backlog.decided('e1', 'argo-events/storage');
    expect([backlog.depth(), backlog.lagSeconds()]).toEqual([1, 5]);

    // A decision may come before the event log has stored the event.
    backlog.decided('e3', 'argo-events/environments');
    backlog.decided('e3', 'argo-events/storage');
    backlog.received('e3', '2026-11-25T10:00:06Z');
    now += 2_000;
    expect([backlog.depth(), backlog.lagSeconds()]).toEqual([1, 7]);

    backlog.decided('e2', 'argo-events/environments');
    backlog.decided('e2', 'argo-events/storage');
    expect([backlog.depth(), backlog.lagSeconds()]).toEqual([0, 0]);
  });
});
