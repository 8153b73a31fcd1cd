import type { PlatformRequest, PlinthClient, Run, RunNode } from '../client/index.js';
import { sleep } from '../context.js';
import { phaseStyle, type Output } from '../output.js';
import { isFinished, nodeIcon } from './run-view.js';

/** Request statuses after which no run will appear any more. */
const requestGaveUp = new Set(['Failed', 'Error', 'Rejected', 'Cancelled']);

/**
 * Polls a request until it has a run, it fails, or `deadline` (epoch ms)
 * passes. Returns the request as last seen.
 */
export async function waitForRun(
  client: PlinthClient,
  requestId: string,
  opts: { intervalMs: number; deadline: number },
): Promise<PlatformRequest> {
  for (;;) {
    const request = await client.getRequest(requestId);
    if (request.runs.length > 0 || requestGaveUp.has(request.status)) return request;
    if (Date.now() + opts.intervalMs > opts.deadline) return request;
    await sleep(opts.intervalMs);
  }
}

/**
 * Polls a run until it waits for approval, ends, or `deadline` passes.
 * With `progress`, prints a line each time a step changes phase.
 */
export async function watchRun(
  client: PlinthClient,
  runId: string,
  opts: { intervalMs: number; deadline: number; progress?: Output },
): Promise<Run> {
  const seen = new Map<string, string>();
  for (;;) {
    const run = await client.getRun(runId);
    if (opts.progress) printProgress(opts.progress, run, seen);
    if (run.waitingForApproval || isFinished(run)) return run;
    if (Date.now() + opts.intervalMs > opts.deadline) return run;
    await sleep(opts.intervalMs);
  }
}

function isStep(run: Run, n: RunNode): boolean {
  return n.id !== run.id && !['Steps', 'DAG', 'StepGroup', 'TaskGroup', 'Retry'].includes(n.type);
}

function printProgress(out: Output, run: Run, seen: Map<string, string>): void {
  const steps = run.nodes
    .filter((n) => isStep(run, n))
    .sort((a, b) => (a.startedAt ?? '~').localeCompare(b.startedAt ?? '~'));
  for (const n of steps) {
    const key = `${n.phase}|${n.type === 'Suspend' ? 'suspend' : ''}`;
    if (seen.get(n.id) === key || n.phase === 'Pending') continue;
    seen.set(n.id, key);
    const phase = out.paint(n.phase, phaseStyle(n.phase));
    const message = n.message ? `: ${n.message}` : '';
    out.line(`  ${nodeIcon(n)} ${n.displayName || n.name}  ${phase}${message}`);
  }
}
