import type { SubmitOptions, WorkflowEngine } from './engine.js';
import type { Workflow } from './model/types.js';

/**
 * Submits a Workflow and resolves with it once it has finished (like
 * `argo submit --wait`). Suspended nodes keep it waiting until someone
 * resumes them or `signal` aborts the wait.
 */
export async function runToCompletion(
  engine: WorkflowEngine,
  workflow: Workflow,
  options: SubmitOptions & { signal?: AbortSignal } = {},
): Promise<Workflow> {
  let uid: string | undefined;
  let latest: Workflow | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = engine.onChange((wf) => {
    if (uid !== undefined && wf.metadata.uid !== uid) return;
    if (uid === undefined) return;
    latest = wf;
    if (wf.status?.finishedAt) wake?.();
  });
  try {
    const { signal, ...submitOptions } = options;
    const submitted = await engine.submit(workflow, submitOptions);
    uid = submitted.metadata.uid;
    const current = (await engine.getByUid(uid ?? '')) ?? submitted;
    if (current.status?.finishedAt) return current;
    // The engine's timers (backoffs, suspend durations) do not hold the process open; this wait does.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        if (latest?.status?.finishedAt) resolve();
      });
    } finally {
      clearInterval(keepAlive);
    }
    return (await engine.getByUid(uid ?? '')) ?? (latest as Workflow);
  } finally {
    unsubscribe();
  }
}
