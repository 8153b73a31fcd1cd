import type { CloudEventJson } from '../eventbus/index.js';
import type { HeldEvent, TriggerHeld } from './dependencies/index.js';
import type { SensorState } from './evaluate.js';

/** An event a trigger holds, as it is kept. */
export interface HeldRecord {
  trigger: string;
  dependency: string;
  event: Record<string, unknown>;
  receivedAt: number;
}

/**
 * Where a sensor keeps what must survive a crash (the store's
 * `sensorState`): the events its triggers hold while their conditions wait,
 * the event ids it has finished with, and each trigger's firings.
 */
export interface SensorStateStore {
  held(sensor: string): Promise<HeldRecord[]>;
  isHandled(sensor: string, eventId: string): Promise<boolean>;
  commit(
    sensor: string,
    eventId: string,
    triggers: readonly string[],
    held: readonly HeldRecord[],
    now: number,
  ): Promise<void>;
  firing(sensor: string, trigger: string, key: string): Promise<{ result: unknown } | undefined>;
  recordFiring(
    sensor: string,
    trigger: string,
    key: string,
    result: unknown,
    now: number,
  ): Promise<void>;
  purge(before: number): Promise<number>;
}

/** A sensor's state from its kept records. */
export function stateFromRecords(records: readonly HeldRecord[]): Map<string, TriggerHeld> {
  const state = new Map<string, Map<string, HeldEvent>>();
  for (const r of records) {
    let held = state.get(r.trigger);
    if (!held) state.set(r.trigger, (held = new Map()));
    held.set(r.dependency, { event: r.event as unknown as CloudEventJson, at: r.receivedAt });
  }
  return state;
}

/** The triggers whose held events an event changed, and what they now hold. */
export function changedRecords(
  before: SensorState,
  after: SensorState,
): { triggers: string[]; records: HeldRecord[] } {
  const triggers: string[] = [];
  const records: HeldRecord[] = [];
  for (const [trigger, held] of after) {
    const previous = before.get(trigger);
    if (previous === held || (previous === undefined && held.size === 0)) continue;
    triggers.push(trigger);
    for (const [dependency, entry] of held) {
      records.push({
        trigger,
        dependency,
        event: entry.event as unknown as Record<string, unknown>,
        receivedAt: entry.at,
      });
    }
  }
  return { triggers, records };
}
