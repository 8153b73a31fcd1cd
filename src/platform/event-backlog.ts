/**
 * Events the event log has received that not every sensor has decided yet:
 * the bus's queue depth and event lag as `/metrics` shows them. It counts
 * what this process sees (every event and every decision in the embedded
 * shape; in a clustered install each process reports its share).
 */
export interface EventBacklog {
  /** The event log stored the event; `time` is its CloudEvent time (or when it arrived). */
  received(eventId: string, time: string): void;
  /** A sensor decided about the event. */
  decided(eventId: string, sensor: string): void;
  /** Events received and not yet decided by every sensor. */
  depth(): number;
  /** Seconds since the oldest of those events' time; 0 when none waits. */
  lagSeconds(): number;
}

interface Pending {
  time?: number;
  sensors: Set<string>;
}

/** Far above any real backlog; past it the oldest entries are dropped rather than grow memory. */
const MAX_TRACKED = 100_000;

export function createEventBacklog(deps: {
  /** How many sensors decide every event. */
  sensorCount: number;
  clock?: () => Date;
}): EventBacklog {
  const clock = deps.clock ?? (() => new Date());
  const expected = deps.sensorCount;
  // Insertion order is arrival order, so the first waiting entry is the oldest.
  const pending = new Map<string, Pending>();

  function settle(id: string, entry: Pending): void {
    if (entry.time === undefined) return;
    if (entry.sensors.size >= expected) pending.delete(id);
  }

  function entryOf(id: string): Pending {
    let entry = pending.get(id);
    if (!entry) {
      if (pending.size >= MAX_TRACKED) {
        const oldest = pending.keys().next();
        if (!oldest.done) pending.delete(oldest.value);
      }
      entry = { sensors: new Set() };
      pending.set(id, entry);
    }
    return entry;
  }

  return {
    received(id, time) {
      if (expected === 0) return;
      const entry = entryOf(id);
      const ms = Date.parse(time);
      entry.time = Number.isNaN(ms) ? clock().getTime() : ms;
      settle(id, entry);
    },
    decided(id, sensor) {
      if (expected === 0) return;
      const entry = entryOf(id);
      entry.sensors.add(sensor);
      settle(id, entry);
    },
    depth() {
      let n = 0;
      for (const entry of pending.values()) if (entry.time !== undefined) n++;
      return n;
    },
    lagSeconds() {
      let oldest: number | undefined;
      for (const entry of pending.values()) {
        if (entry.time !== undefined && (oldest === undefined || entry.time < oldest)) {
          oldest = entry.time;
        }
      }
      return oldest === undefined ? 0 : Math.max(0, (clock().getTime() - oldest) / 1000);
    },
  };
}
