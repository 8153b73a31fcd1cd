import { NodePhase, NodeType, type NodeStatus, type RetryStrategy } from '../model/types.js';
import type { ExecuteRequest } from './execute.js';
import { isFailedOrError, isFulfilled, type WorkflowRun } from './run.js';
import { parseDuration } from './suspend.js';
import { markDaemoned } from './daemon.js';
import { evaluateExpression } from '../expressions/index.js';

/** Argo's retry policies; without one, OnFailure (Always when an expression is set). */
export const RetryPolicy = {
  Always: 'Always',
  OnFailure: 'OnFailure',
  OnError: 'OnError',
  OnTransientError: 'OnTransientError',
} as const;
export type RetryPolicy = (typeof RetryPolicy)[keyof typeof RetryPolicy];

/** Messages of errors worth retrying under OnTransientError, besides the configured pattern. */
const TRANSIENT =
  /exceeded quota|connection reset by peer|connection refused|i\/o timeout|TLS handshake timeout|unexpected EOF|no such host|http2: client connection lost|etcdserver: leader changed|Too many requests/i;

/** What the retry wrapper needs from `execute`. */
export type StartAttempt = (req: ExecuteRequest) => NodeStatus;

/**
 * A template with `retryStrategy`: a Retry node named as the step, and one
 * attempt node under it per try (`name(0)`, `name(1)`, ...). The Retry node
 * ends with its last attempt's phase and outputs.
 */
export function executeRetry(
  run: WorkflowRun,
  req: ExecuteRequest,
  strategy: RetryStrategy,
  fields: Partial<NodeStatus>,
  start: StartAttempt,
): NodeStatus {
  let node = run.nodeByName(req.nodeName);
  if (!node) {
    node = run.createNode({
      name: req.nodeName,
      displayName: req.displayName,
      type: NodeType.Retry,
      phase: NodePhase.Running,
      ...fields,
      ...(req.boundaryId ? { boundaryID: req.boundaryId } : {}),
    });
    for (const parent of req.parents) run.addChild(parent, node.id);
  }
  const retryNode = node;
  const attempts = () =>
    (retryNode.children ?? [])
      .map((id) => run.nodes[id])
      .filter((n): n is NodeStatus => !!n && n.name.startsWith(`${retryNode.name}(`));

  const launch = (): void => {
    const list = attempts();
    const last = list.at(-1);
    const index = last && !isFulfilled(last) ? list.length - 1 : list.length;
    const name = `${retryNode.name}(${index})`;
    const local = new Map(req.localTags ?? []);
    local.set('retries', String(index));
    local.set('lastRetry.exitCode', last?.outputs?.exitCode ?? '0');
    local.set('lastRetry.status', last?.phase ?? '');
    local.set('lastRetry.duration', String(durationSeconds(last)));
    local.set('lastRetry.message', last?.message ?? '');
    const attempt = start({
      ...req,
      nodeName: name,
      displayName: `${req.displayName}(${index})`,
      parents: [retryNode.id],
      attempt: true,
      nodeFlag: { ...req.nodeFlag, retried: true },
      localTags: local,
      onDone: (child) => settle(child),
    });
    if (isFulfilled(attempt)) settle(attempt);
  };

  const settle = (child: NodeStatus): void => {
    if (isFulfilled(retryNode)) return;
    if (!isFulfilled(child)) {
      // A daemoned attempt: the Retry node is daemoned too, and follows the attempt to its end.
      if (child.daemoned === true) {
        if (retryNode.daemoned !== true) markDaemoned(run, retryNode);
        run.watch(child, settle);
      }
      return;
    }
    const decision = decide(run, retryNode, attempts(), strategy, child);
    if (decision.done) {
      if (child.outputs) retryNode.outputs = structuredClone(child.outputs);
      run.markPhase(retryNode, decision.phase, decision.message);
      return;
    }
    if (decision.waitMs <= 0) {
      launch();
      return;
    }
    retryNode.message = `Backoff for ${humanizeDuration(decision.waitMs)}`;
    run.touch(retryNode);
    const timer = setTimeout(() => {
      run.timers.delete(retryNode.id);
      void run.apply(() => {
        retryNode.message = '';
        run.touch(retryNode);
        if (!isFulfilled(retryNode)) launch();
      });
    }, decision.waitMs);
    timer.unref();
    run.timers.set(retryNode.id, timer);
  };

  const list = attempts();
  const last = list.at(-1);
  if (!last || !isFulfilled(last)) launch();
  else settle(last);
  return retryNode;
}

type Decision =
  { done: true; phase: NodePhase; message?: string } | { done: false; waitMs: number };

function decide(
  run: WorkflowRun,
  retryNode: NodeStatus,
  attempts: NodeStatus[],
  strategy: RetryStrategy,
  last: NodeStatus,
): Decision {
  if (!isFailedOrError(last)) return { done: true, phase: NodePhase.Succeeded };
  const failed = last.phase as NodePhase;
  if (run.shutdown) {
    return { done: true, phase: failed, message: `Stopped with strategy '${run.shutdown}'` };
  }
  if (run.deadline !== undefined && Date.now() > run.deadline) {
    return {
      done: true,
      phase: failed,
      message: `retry exceeded workflow deadline ${new Date(run.deadline).toISOString()}`,
    };
  }
  const policy: string =
    strategy.retryPolicy ?? (strategy.expression ? RetryPolicy.Always : RetryPolicy.OnFailure);
  let onFailed = false;
  let onError = false;
  switch (policy) {
    case RetryPolicy.Always:
      onFailed = onError = true;
      break;
    case RetryPolicy.OnFailure:
      onFailed = true;
      break;
    case RetryPolicy.OnError:
      onError = true;
      break;
    case RetryPolicy.OnTransientError:
      onFailed = onError = isTransient(last.message ?? '', run.deps.transientErrorPattern);
      break;
    default:
      return {
        done: true,
        phase: NodePhase.Error,
        message: `${policy} is not a valid RetryPolicy`,
      };
  }
  if ((failed === NodePhase.Failed && !onFailed) || (failed === NodePhase.Error && !onError)) {
    return { done: true, phase: failed, ...(last.message ? { message: last.message } : {}) };
  }
  const limit = strategy.limit === undefined ? undefined : Number(strategy.limit);
  if (limit !== undefined && Number.isFinite(limit) && attempts.length > limit) {
    return { done: true, phase: failed, message: 'No more retries left' };
  }
  if (strategy.expression) {
    let proceed: boolean;
    try {
      proceed = evaluateRetryExpression(strategy.expression, last, attempts.length);
    } catch (err) {
      return { done: true, phase: NodePhase.Error, message: (err as Error).message };
    }
    if (!proceed) {
      return {
        done: true,
        phase: failed,
        message: 'retryStrategy.expression evaluated to false',
      };
    }
  }
  const backoff = strategy.backoff;
  if (!backoff) return { done: false, waitMs: 0 };
  const first = attempts[0];
  let maxDeadline: number | undefined;
  if (backoff.maxDuration) {
    const max = parseDuration(String(backoff.maxDuration));
    if (max === undefined) {
      return {
        done: true,
        phase: NodePhase.Error,
        message: `invalid maxDuration '${backoff.maxDuration}'`,
      };
    }
    maxDeadline = Date.parse(first?.startedAt ?? '') + max * 1000;
    if (Date.now() > maxDeadline) {
      return { done: true, phase: failed, message: 'Max duration limit exceeded' };
    }
  }
  if (!backoff.duration) {
    return {
      done: true,
      phase: NodePhase.Error,
      message: 'no base duration specified for retryStrategy',
    };
  }
  const base = parseDuration(String(backoff.duration));
  if (base === undefined) {
    return {
      done: true,
      phase: NodePhase.Error,
      message: `invalid backoff duration '${backoff.duration}'`,
    };
  }
  const factor = Number(backoff.factor ?? 0);
  let waitMs = base * 1000 * (factor > 0 ? factor ** (attempts.length - 1) : 1);
  if (backoff.cap) {
    const cap = parseDuration(backoff.cap);
    if (cap !== undefined) waitMs = Math.min(waitMs, cap * 1000);
  }
  const due = Date.parse(last.finishedAt ?? '') + waitMs;
  if (maxDeadline !== undefined && due > maxDeadline) {
    return { done: true, phase: failed, message: 'Backoff would exceed max duration limit' };
  }
  void retryNode;
  return { done: false, waitMs: Math.max(0, due - Date.now()) };
}

function isTransient(message: string, pattern: string | undefined): boolean {
  if (TRANSIENT.test(message)) return true;
  if (!pattern) return false;
  try {
    return new RegExp(pattern).test(message);
  } catch {
    return false;
  }
}

/** `retryStrategy.expression` in Argo's expr dialect, over `lastRetry.*` and `retries`. */
export function evaluateRetryExpression(
  expression: string,
  last: NodeStatus,
  attempts: number,
): boolean {
  const result = evaluateExpression(expression, {
    retries: String(attempts - 1),
    'lastRetry.exitCode': last.outputs?.exitCode ?? '-1',
    'lastRetry.status': last.phase,
    'lastRetry.duration': String(durationSeconds(last)),
    'lastRetry.message': last.message ?? '',
  });
  if (typeof result !== 'boolean') {
    throw new Error(
      `retryStrategy.expression '${expression}' must be a boolean, got ${String(result)}`,
    );
  }
  return result;
}

function durationSeconds(node: NodeStatus | undefined): number {
  if (!node?.startedAt) return 0;
  const end = node.finishedAt ? Date.parse(node.finishedAt) : Date.now();
  return Math.max(0, (end - Date.parse(node.startedAt)) / 1000);
}

/** A duration in words, as Argo's messages print it (`2 seconds`, `1 minute 5 seconds`). */
export function humanizeDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const parts: string[] = [];
  const add = (n: number, unit: string) => {
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  };
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  add(h, 'hour');
  add(m, 'minute');
  add(s, 'second');
  return parts.join(' ') || '0 seconds';
}
