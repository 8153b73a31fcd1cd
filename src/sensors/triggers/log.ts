import type { EventContext } from '../events.js';
import { TriggerType } from '../types.js';
import type { Trigger } from './trigger.js';

/** What a log trigger logs: each event's payload text with its dependency and context. */
export class LogPlan {
  constructor(
    readonly name: string,
    readonly entries: { dependencyName: string; message: string; eventContext: EventContext }[],
    readonly intervalMs: number,
  ) {}

  /** The message (the payloads, one per line), as `plinth sensor test` shows it. */
  toJSON(): string {
    return this.entries.map((e) => e.message).join('\n');
  }
}

/**
 * The `log` trigger: logs each event's payload, at most once per
 * `intervalSeconds` (every time without it), as Argo's log trigger does.
 */
export const logTrigger: Trigger<LogPlan> = {
  type: TriggerType.Log,
  resolve(template, events) {
    const spec = (template.log ?? {}) as { intervalSeconds?: number };
    const entries = [...events].map(([dependencyName, event]) => ({
      dependencyName,
      message: event.data.toString('utf8'),
      eventContext: event.context,
    }));
    return new LogPlan(
      template.name,
      entries,
      Math.max(0, Number(spec.intervalSeconds ?? 0)) * 1000,
    );
  },
  execute(plan, { logger, memory, now = Date.now }) {
    const key = `log:${plan.name}`;
    const last = (memory?.get(key) as number | undefined) ?? -Infinity;
    const t = now();
    if (plan.intervalMs > 0 && t < last + plan.intervalMs)
      return Promise.resolve({ logged: false });
    for (const entry of plan.entries) {
      logger?.info(
        {
          trigger: plan.name,
          dependencyName: entry.dependencyName,
          eventContext: entry.eventContext,
        },
        entry.message,
      );
    }
    memory?.set(key, t);
    return Promise.resolve({ logged: true });
  },
};
