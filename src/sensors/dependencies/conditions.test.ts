import { describe, it, expect } from 'vitest';
import type { CloudEventJson } from '../../eventbus/index.js';
import { offerEvent, type SensorState } from '../evaluate.js';
import { parseSensor } from '../parse.js';
import { fixture, webhookEvent } from '../testing/fixtures.js';
import { parseConditions } from './conditions.js';
import { createScriptRunner } from './filters/index.js';

describe('parseConditions', () => {
  it('binds && tighter than || and honours parentheses', () => {
    const c = parseConditions('a || b && c');
    expect(c.names).toEqual(['a', 'b', 'c']);
    expect(c.holds(new Set(['a']))).toBe(true);
    expect(c.holds(new Set(['b']))).toBe(false);
    expect(c.holds(new Set(['b', 'c']))).toBe(true);
    const p = parseConditions('(a || b) && c');
    expect(p.holds(new Set(['a']))).toBe(false);
    expect(p.holds(new Set(['a', 'c']))).toBe(true);
  });

  it('reads names with dashes and refuses what is not a condition', () => {
    expect(parseConditions('dep-a&&dep-b').names).toEqual(['dep-a', 'dep-b']);
    expect(() => parseConditions('a &&')).toThrow(/ends where a dependency name is expected/);
    expect(() => parseConditions('(a || b')).toThrow(/parenthesis is not closed/);
    expect(() => parseConditions('!a')).toThrow(/unexpected "!"/);
    expect(() => parseConditions('a b')).toThrow(/unexpected "b"/);
  });

  it('takes - and _ in a name as the same, as Argo does, preferring an exact match', () => {
    const deps = ['dep-1', 'dep_1a', 'dep-3'];
    const c = parseConditions('dep-1 || dep-1a || dep_3', deps);
    expect(c.names).toEqual(['dep-1', 'dep_1a', 'dep-3']);
    expect(c.holds(new Set(['dep_1a']))).toBe(true);
    expect(parseConditions('a-b', ['a_b', 'a-b']).names).toEqual(['a-b']);
    expect(parseConditions('dep-x', deps).names).toEqual(['dep-x']);
  });
});

describe('trigger conditions', () => {
  const sensor = parseSensor(fixture('conditions-sensor.yaml'));
  const tools = { scripts: createScriptRunner() };
  const at = (time: string, e: CloudEventJson): CloudEventJson => ({ ...e, time });
  const build = at('2024-06-01T10:00:00Z', webhookEvent('b1', 'ci', 'build', {}));
  const test = at('2024-06-01T10:05:00Z', webhookEvent('t1', 'ci', 'test', {}));

  /** Delivers events in order; for each, the triggers that fired and the events they fired with. */
  async function deliver(events: CloudEventJson[]): Promise<Record<string, string>[]> {
    let state: SensorState = new Map();
    const out: Record<string, string>[] = [];
    for (const e of events) {
      const offer = await offerEvent(sensor, state, e, { tools, now: Date.parse(e.time) });
      state = offer.state;
      out.push(
        Object.fromEntries(
          offer.decision.triggers
            .filter((t) => t.fired)
            .map((t) => [t.name, Object.keys(t.events ?? {}).join('+')]),
        ),
      );
    }
    return out;
  }

  it('fires each trigger when its expression becomes true, with the events it holds', async () => {
    const approve = at('2024-06-01T20:00:00Z', webhookEvent('a1', 'webhook', 'approve', {}));
    expect(await deliver([build, test, approve])).toEqual([
      // `build || approved` has no &&: every event fires alone.
      { either: 'build' },
      { 'build-and-check': 'build+test-passed' },
      // build-and-check started over; all has everything; same-day still holds the build.
      { either: 'approved', all: 'build+test-passed+approved', 'same-day': 'build+approved' },
    ]);
  });

  it('says what a trigger waits for', async () => {
    const offer = await offerEvent(sensor, new Map(), build, {
      tools,
      now: Date.parse(build.time),
    });
    expect(offer.decision.triggers.find((t) => t.name === 'build-and-check')).toEqual({
      name: 'build-and-check',
      fired: false,
      reason: 'waiting for conditions "build && (test-passed || approved)" (received: build)',
    });
    expect(offer.decision.triggers.find((t) => t.name === 'all')?.reason).toBe(
      'waiting for dependencies: test-passed, approved',
    );
  });

  it('forgets held dependencies at each conditionsReset time, in its time zone', async () => {
    // Midnight in Paris is 22:00 UTC in June: an approval at 21:59 UTC still fires, at 22:00 it does not.
    const before = at('2024-06-01T21:59:59Z', webhookEvent('a2', 'webhook', 'approve', {}));
    const after = at('2024-06-01T22:00:00Z', webhookEvent('a3', 'webhook', 'approve', {}));
    expect((await deliver([build, before]))[1]?.['same-day']).toBe('build+approved');
    expect((await deliver([build, after]))[1]?.['same-day']).toBeUndefined();
  });
});
