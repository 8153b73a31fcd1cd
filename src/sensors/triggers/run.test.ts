import { pino } from 'pino';
import { describe, it, expect } from 'vitest';
import { PlinthError } from '../../errors/index.js';
import { toSensorEvent } from '../events.js';
import { webhookEvent } from '../testing/fixtures.js';
import type { Trigger as SensorTrigger } from '../types.js';
import { retryDelays, retryPlan } from './backoff.js';
import { logTrigger } from './log.js';
import { createRateLimiter } from './rate-limit.js';
import { createTriggerRunner } from './run.js';
import type { Trigger } from './trigger.js';

const noWorkflows = { submit: () => Promise.reject(new Error('unused')) };
const execution = { workflows: noWorkflows, idempotencyKey: 'k', labels: {} };

/** A trigger that fails its first `failures` executions. */
function flaky(failures: number): Trigger<string> & { calls: number } {
  return {
    type: 'custom',
    calls: 0,
    resolve: () => 'r',
    execute() {
      this.calls++;
      return this.calls <= failures
        ? Promise.reject(new PlinthError('UNAVAILABLE', `attempt ${this.calls} failed`))
        : Promise.resolve(`done after ${this.calls}`);
    },
  };
}

describe('retryStrategy, as Argo backs off', () => {
  it('reads Argo defaults: one attempt without a strategy, 5 steps of 1s with jitter 1 when left out', () => {
    expect(retryPlan(undefined).steps).toBe(1);
    expect(retryPlan({})).toEqual({ steps: 5, durationMs: 1000, factor: 1, jitter: 1 });
    expect(retryPlan({ steps: 3, duration: '2s', factor: '1.5', jitter: 0 })).toEqual({
      steps: 3,
      durationMs: 2000,
      factor: 1.5,
      jitter: 0,
    });
    expect(retryPlan({ duration: 1_000_000 }).durationMs).toBe(1);
    expect(() => retryPlan({ duration: 'soon' })).toThrow('invalid duration');
  });

  it('waits steps-1 times, growing by factor, with up to jitter×duration added', () => {
    expect(retryDelays({ steps: 4, durationMs: 100, factor: 2, jitter: 0 })).toEqual([
      100, 200, 400,
    ]);
    expect(retryDelays({ steps: 3, durationMs: 100, factor: 1, jitter: 0.5 }, () => 1)).toEqual([
      150, 150,
    ]);
  });

  it('retries within the handler and gives up with the last error', async () => {
    const slept: number[] = [];
    const runner = createTriggerRunner({
      sleep: (ms) => (slept.push(ms), Promise.resolve()),
      random: () => 0,
    });
    const trigger: SensorTrigger = {
      template: { name: 't' },
      retryStrategy: { steps: 3, duration: '10ms', factor: 2 },
    };
    const ok = flaky(2);
    expect(
      await runner.run({
        key: 'a',
        trigger,
        implementation: ok as Trigger,
        resource: 'r',
        execution,
      }),
    ).toBe('done after 3');
    expect(slept).toEqual([10, 20]);
    const bad = flaky(5);
    await expect(
      runner.run({ key: 'b', trigger, implementation: bad as Trigger, resource: 'r', execution }),
    ).rejects.toThrow('failed after 3 attempts: attempt 3 failed');
    const once = flaky(1);
    await expect(
      runner.run({
        key: 'c',
        trigger: { template: { name: 't' } },
        implementation: once as Trigger,
        resource: 'r',
        execution,
      }),
    ).rejects.toThrow(/^attempt 1 failed$/);
    expect(once.calls).toBe(1);
  });
});

describe('rateLimit', () => {
  it('spaces calls by unit / requestsPerUnit after the allowed slack', () => {
    let t = 0;
    const limiter = createRateLimiter({ unit: 'Minute', requestsPerUnit: 2 }, () => t);
    expect(limiter?.reserve()).toBe(0);
    expect(limiter?.reserve()).toBe(30_000);
    // Reservations made at the same instant queue up behind each other.
    expect(limiter?.reserve()).toBe(60_000);
    t = 10 * 60_000;
    expect(limiter?.reserve()).toBe(0);
    expect(createRateLimiter(undefined)).toBeUndefined();
    expect(createRateLimiter({ requestsPerUnit: 0 })).toBeUndefined();
  });

  it('makes the runner wait before firing', async () => {
    const slept: number[] = [];
    const runner = createTriggerRunner({
      sleep: (ms) => (slept.push(ms), Promise.resolve()),
      now: () => 0,
    });
    const trigger: SensorTrigger = {
      template: { name: 't' },
      rateLimit: { unit: 'Second', requestsPerUnit: 4 },
    };
    for (let i = 0; i < 3; i++)
      await runner.run({
        key: 'x',
        trigger,
        implementation: flaky(0) as Trigger,
        resource: 'r',
        execution,
      });
    expect(slept).toEqual([250, 500]);
  });
});

describe('log trigger', () => {
  const events = new Map([['dep', toSensorEvent(webhookEvent('e1', 'webhook', 'x', { a: 1 }))]]);

  it('shows the payload as its message and logs it at most once per intervalSeconds', async () => {
    const plan = logTrigger.resolve({ name: 'log', log: { intervalSeconds: 10 } }, events, {
      name: 's',
      namespace: 'n',
    });
    expect(JSON.parse(JSON.stringify(plan)) as string).toBe(
      '{"header":{},"body":{"a":1},"metadata":{}}',
    );
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    let t = 1_000_000;
    const runner = createTriggerRunner({ logger, now: () => t });
    const fire = () =>
      runner.run({
        key: 'l',
        trigger: { template: { name: 'log' } },
        implementation: logTrigger as Trigger,
        resource: plan,
        execution,
      });
    expect(await fire()).toEqual({ logged: true });
    t += 5_000;
    expect(await fire()).toEqual({ logged: false });
    t += 5_001;
    expect(await fire()).toEqual({ logged: true });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      dependencyName: 'dep',
      eventContext: { id: 'e1' },
      msg: plan.entries[0]?.message,
    });
  });
});
