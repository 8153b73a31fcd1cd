import { InputError } from '../../errors/index.js';
import { parseDurationMs } from '../../time/index.js';
import { NodePhase, type NodeStatus, type Parameter } from '../model/types.js';
import type { NodeContext } from './execute.js';
import type { WorkflowRun } from './run.js';

/**
 * A suspend template: the node waits in phase Running until it is resumed
 * (Succeeded) or stopped (Failed), or until its `duration` has passed.
 */
export function executeSuspend(run: WorkflowRun, ctx: NodeContext): void {
  const { node, template } = ctx;
  // Stored times have second precision: a node starting now counts from now.
  const startMs = node.phase === NodePhase.Pending ? Date.now() : Date.parse(node.startedAt ?? '');
  if (node.phase === NodePhase.Pending) {
    const supplied = (template.outputs?.parameters ?? []).filter(
      (p) => p.valueFrom?.supplied !== undefined,
    );
    if (supplied.length > 0) {
      node.outputs = {
        parameters: supplied.map((p) => {
          const input = template.inputs?.parameters?.find((i) => i.name === p.name);
          const def = p.valueFrom?.default ?? input?.value ?? input?.default;
          const options = p.enum ?? input?.enum;
          return {
            name: p.name,
            valueFrom: { supplied: {}, ...(def !== undefined ? { default: def } : {}) },
            ...(options?.length ? { enum: options } : {}),
            ...((p.description ?? input?.description)
              ? { description: p.description ?? input?.description }
              : {}),
            ...(p.globalName ? { globalName: p.globalName } : {}),
          };
        }),
      };
    }
    run.markPhase(node, NodePhase.Running);
  }
  const duration = template.suspend?.duration;
  if (duration === undefined || duration === '') return;
  const seconds = parseDuration(duration);
  if (seconds === undefined) {
    run.markPhase(node, NodePhase.Error, `invalid suspend duration '${duration}'`);
    return;
  }
  const due = startMs + seconds * 1000;
  const fire = () => {
    run.timers.delete(node.id);
    void run.apply(() => endSuspend(run, node, NodePhase.Succeeded, undefined, []));
  };
  const delay = due - Date.now();
  if (delay <= 0) {
    endSuspend(run, node, NodePhase.Succeeded, undefined, []);
    return;
  }
  const timer = setTimeout(fire, delay);
  timer.unref();
  run.timers.set(node.id, timer);
}

/** Whether a node is a suspend node still waiting. */
export function isWaiting(node: NodeStatus): boolean {
  return node.type === 'Suspend' && node.phase === NodePhase.Running;
}

/**
 * Ends a waiting suspend node. On success its supplied outputs take the
 * given values, else their defaults; one with neither is an input error.
 */
export function endSuspend(
  run: WorkflowRun,
  node: NodeStatus,
  phase: NodePhase,
  message: string | undefined,
  supplied: Parameter[],
): void {
  if (!isWaiting(node)) return;
  if (phase === NodePhase.Succeeded && node.outputs?.parameters) {
    const params = node.outputs.parameters.map((p) => {
      if (!p.valueFrom?.supplied) return p;
      const given = supplied.find((s) => s.name === p.name)?.value ?? p.valueFrom.default;
      if (given === undefined) {
        throw new InputError(
          `raw output parameter '${p.name}' has not been set and does not have a default value`,
        );
      }
      return { name: p.name, value: given, ...(p.globalName ? { globalName: p.globalName } : {}) };
    });
    node.outputs = { parameters: params };
    run.exportGlobals(params);
  }
  const timer = run.timers.get(node.id);
  if (timer) clearTimeout(timer);
  run.timers.delete(node.id);
  run.markPhase(node, phase, message);
}

/** Argo's durations: a number of seconds, or a Go duration (`1h30m`, `90s`, `2m`); in seconds. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = parseDurationMs(text);
  return ms === undefined ? undefined : ms / 1000;
}
