import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { request as requestTls } from 'node:https';
import { connect } from 'node:net';
import { NodePhase, NodeType, type NodeStatus, type Template } from '../model/types.js';
import { isFulfilled, type WorkflowRun } from './run.js';

/** Where a daemon listens, `{{steps.X.ip}}`: every step runs on this host. */
export const DAEMON_IP = '127.0.0.1';

/** `daemon: true` (or a tag that gave `"true"`). */
export function isDaemon(template: Template): boolean {
  return template.daemon === true || (template.daemon as unknown) === 'true';
}

/** How often a readiness probe is tried at most, whatever its `periodSeconds`. */
const PROBE_INTERVAL_MS = 250;

interface Probe {
  httpGet?: { path?: string; port?: number | string; host?: string; scheme?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
}

/**
 * A `daemon: true` template's process has started: once its readiness probe
 * passes (at once without one) the node is daemoned, with its address, and
 * its siblings go on while it keeps running. Its scope ends it (`stopDaemons`).
 */
export function watchDaemon(
  run: WorkflowRun,
  node: NodeStatus,
  template: Template,
  workDir: string,
): void {
  const body = template.container ?? template.script ?? {};
  const probe = body.readinessProbe as Probe | undefined;
  const running = () => !isFulfilled(node) && run.processes.has(node.id) && !run.detached;
  const ready = () => {
    if (!running()) return;
    void run.apply(() => {
      if (running()) markDaemoned(run, node);
    });
  };
  if (!probe) {
    setImmediate(ready);
    return;
  }
  const ports = (body.ports ?? []) as { name?: string; containerPort?: number }[];
  const attempt = () => {
    if (!running()) return;
    void tryProbe(probe, ports, workDir).then((ok) => {
      if (ok) ready();
      else setTimeout(attempt, Math.min(PROBE_INTERVAL_MS, periodMs(probe))).unref();
    });
  };
  setTimeout(attempt, Math.max(0, Number(probe.initialDelaySeconds ?? 0)) * 1000).unref();
}

function periodMs(probe: Probe): number {
  const s = Number(probe.periodSeconds ?? 10);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 10_000;
}

/** Marks a node (a pod, or the Retry node over it) daemoned and lets its siblings go on. */
export function markDaemoned(run: WorkflowRun, node: NodeStatus): void {
  node.daemoned = true;
  node.podIP = DAEMON_IP;
  run.daemons.add(node.id);
  if (node.type === NodeType.Pod && run.processes.has(node.id)) run.freePodSlot(node.id);
  run.touch(node);
  run.releaseWatcher(node);
}

/**
 * A steps or dag template ends: the daemons it started (its boundary) are
 * ended, and their nodes succeed, as Argo's do when their scope completes.
 */
export function stopDaemons(run: WorkflowRun, scope: NodeStatus): void {
  if (run.daemons.size === 0) return;
  const mine = [...run.daemons]
    .map((id) => run.nodes[id])
    .filter((n): n is NodeStatus => n !== undefined && n.boundaryID === scope.id);
  // Pods first: a Retry node over a daemon ends with its attempt.
  mine.sort((a, b) => Number(a.type === NodeType.Retry) - Number(b.type === NodeType.Retry));
  for (const node of mine) {
    run.daemons.delete(node.id);
    if (isFulfilled(node)) continue;
    run.processes.get(node.id)?.kill();
    const timer = run.timers.get(node.id);
    if (timer) {
      clearTimeout(timer);
      run.timers.delete(node.id);
    }
    run.markPhase(node, NodePhase.Succeeded);
  }
}

function resolvePort(
  port: number | string | undefined,
  ports: { name?: string; containerPort?: number }[],
): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

/** One try of a Kubernetes readiness probe against the local process. */
function tryProbe(
  probe: Probe,
  ports: { name?: string; containerPort?: number }[],
  workDir: string,
): Promise<boolean> {
  const timeoutMs = Math.max(1, Number(probe.timeoutSeconds ?? 1)) * 1000;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, ports);
    if (port === undefined) return Promise.resolve(true);
    const https = probe.httpGet.scheme?.toUpperCase() === 'HTTPS';
    return new Promise((resolve) => {
      const req = (https ? requestTls : request)(
        {
          host: DAEMON_IP,
          port,
          path: probe.httpGet?.path ?? '/',
          method: 'GET',
          timeout: timeoutMs,
          ...(https ? { rejectUnauthorized: false } : {}),
        },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(code >= 200 && code < 400);
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, ports);
    if (port === undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const socket = connect({ host: DAEMON_IP, port, timeout: timeoutMs });
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(false));
    });
  }
  const command = probe.exec?.command ?? [];
  if (command.length > 0) {
    return new Promise((resolve) => {
      execFile(
        command[0] as string,
        command.slice(1),
        { cwd: workDir, timeout: timeoutMs },
        (err) => resolve(!err),
      );
    });
  }
  return Promise.resolve(true);
}
