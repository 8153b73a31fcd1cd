import { allowExpressionsOnly, evaluateExpression, substitute } from '../expressions/index.js';
import type { StepResult } from '../executor/index.js';
import { NodePhase, type Template } from '../model/types.js';
import type { NodeContext } from './execute.js';
import { DEADLINE_MESSAGE } from './pod.js';
import { sendRequest, type IncomingResponse } from './request.js';
import { isFulfilled, type WorkflowRun } from './run.js';

/** Argo's `http` template, as far as one machine can honour it. */
export interface HttpTemplate {
  url: string;
  method?: string;
  headers?: HttpHeader[];
  body?: string;
  bodyFrom?: { bytes?: string };
  timeoutSeconds?: number;
  successCondition?: string;
  insecureSkipVerify?: boolean;
}

interface HttpHeader {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** Argo's HTTP template without a timeout waits this long (its documented default). */
const DEFAULT_TIMEOUT_SECONDS = 30;
/** A response body becomes `outputs.result`: it is capped like a step's stdout. */
const MAX_BODY = 256 * 1024;

/**
 * An `http` template: one real HTTP request. The node succeeds on a 2xx answer
 * or when `successCondition` holds over `request` and `response`; the body
 * becomes `outputs.result`.
 */
export function executeHttp(run: WorkflowRun, ctx: NodeContext): void {
  const { node } = ctx;
  if (isFulfilled(node) || run.processes.has(node.id)) return;
  if (run.shutdown && !ctx.hooked) {
    run.markPhase(node, NodePhase.Failed, `Stopped with strategy '${run.shutdown}'`);
    return;
  }
  if ((run.deadlineExceeded && !ctx.hooked) || (ctx.deadline && Date.now() >= ctx.deadline)) {
    run.markPhase(node, NodePhase.Failed, DEADLINE_MESSAGE);
    return;
  }
  let template: Template;
  try {
    template = substitute(ctx.template, ctx.tags, allowExpressionsOnly);
  } catch (err) {
    run.markPhase(node, NodePhase.Error, (err as Error).message);
    return;
  }
  const spec = template.http as HttpTemplate | undefined;
  if (!spec?.url) {
    run.markPhase(node, NodePhase.Error, `templates.${template.name}.http.url is required`);
    return;
  }
  const headers: { name: string; value: string }[] = [];
  for (const h of spec.headers ?? []) {
    if (h.valueFrom?.secretKeyRef) {
      const ref = h.valueFrom.secretKeyRef;
      run.markPhase(
        node,
        NodePhase.Error,
        `secret "${ref.name}" not found: headers from Kubernetes Secrets are not available on this machine (give the header a value)`,
      );
      return;
    }
    headers.push({ name: h.name, value: h.value ?? '' });
  }

  const abort = new AbortController();
  let ended: 'deadline' | 'stopped' | undefined;
  const timeoutSeconds = Number(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  let deadlineTimer: NodeJS.Timeout | undefined;
  if (ctx.deadline !== undefined) {
    deadlineTimer = setTimeout(
      () => {
        ended = 'deadline';
        abort.abort();
      },
      Math.max(0, ctx.deadline - Date.now()),
    );
    deadlineTimer.unref();
  }
  const body = spec.bodyFrom?.bytes !== undefined ? decodeBytes(spec.bodyFrom.bytes) : spec.body;
  const request = sendRequest({
    url: spec.url,
    method: spec.method || 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
    timeoutMs: timeoutSeconds * 1000,
    insecureSkipVerify: spec.insecureSkipVerify === true,
    signal: abort.signal,
  });
  const done: Promise<StepResult> = request.then(
    () => ({ exitCode: 0, signal: null, stdout: '' }),
    () => ({ exitCode: 1, signal: null, stdout: '' }),
  );
  run.processes.set(node.id, {
    done,
    kill: () => {
      ended ??= 'stopped';
      abort.abort();
    },
  });
  if (ctx.hooked) run.hookedProcesses.add(node.id);
  run.markPhase(node, NodePhase.Running);

  void run.deps.track(
    request.then(
      (res) => settle(() => outcome(spec, headers, body, res)),
      (err: unknown) =>
        settle(() => {
          if (ended === 'deadline' || (run.deadlineExceeded && !ctx.hooked)) {
            return { phase: NodePhase.Failed, message: DEADLINE_MESSAGE };
          }
          if (ended === 'stopped' && run.shutdown) {
            return { phase: NodePhase.Failed, message: `Stopped with strategy '${run.shutdown}'` };
          }
          return { phase: NodePhase.Failed, message: (err as Error).message };
        }),
    ),
  );

  async function settle(
    decide: () => { phase: NodePhase; message?: string; result?: string },
  ): Promise<void> {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    run.processes.delete(node.id);
    run.hookedProcesses.delete(node.id);
    if (run.detached) return;
    await run.apply(() => {
      if (isFulfilled(node)) return;
      const { phase, message, result } = decide();
      if (result !== undefined) node.outputs = { result };
      run.markPhase(node, phase, message);
    });
  }
}

function outcome(
  spec: HttpTemplate,
  headers: { name: string; value: string }[],
  body: string | undefined,
  res: IncomingResponse,
): { phase: NodePhase; message?: string; result: string } {
  let text = res.body.toString('utf8');
  if (text.length > MAX_BODY) text = text.slice(0, MAX_BODY);
  if (!spec.successCondition) {
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return { phase: NodePhase.Succeeded, result: text };
    }
    return {
      phase: NodePhase.Failed,
      message: `received non-2xx response code: ${res.statusCode}`,
      result: text,
    };
  }
  const requestHeaders: Record<string, string[]> = {};
  for (const h of headers) (requestHeaders[h.name] ??= []).push(h.value);
  const scope = {
    request: {
      method: spec.method || 'GET',
      url: spec.url,
      body: spec.body ?? '',
      bodyBytes: body ?? '',
      headers: requestHeaders,
    },
    response: { statusCode: res.statusCode, body: text, headers: res.headers },
  };
  let ok: unknown;
  try {
    ok = evaluateExpression(spec.successCondition, scope);
  } catch (err) {
    return { phase: NodePhase.Failed, message: (err as Error).message, result: text };
  }
  if (typeof ok !== 'boolean') {
    return {
      phase: NodePhase.Failed,
      message: `expected bool, but got ${ok === null || ok === undefined ? 'nil' : typeof ok}`,
      result: text,
    };
  }
  if (!ok) {
    return {
      phase: NodePhase.Failed,
      message: `successCondition '${spec.successCondition}' evaluated false`,
      result: text,
    };
  }
  return { phase: NodePhase.Succeeded, result: text };
}

/** `bodyFrom.bytes` is base64 in the manifest, as Kubernetes encodes `[]byte`. */
function decodeBytes(bytes: string): string {
  return Buffer.from(bytes, 'base64').toString('utf8');
}
