import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ManifestError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { SecretRef, SecretResolver } from '../sensors/index.js';
import type { Store } from '../store/index.js';
import type { Workflow, WorkflowEngine } from '../workflows/index.js';
import { Labels } from './types.js';
import { factsFromWorkflow, failureMessage, planSummaryOf, waitingNode } from './workflow-facts.js';

/** What a notification is about. */
export const NotificationEvent = {
  RequestAccepted: 'request.accepted',
  ApprovalNeeded: 'approval.needed',
  RunSucceeded: 'run.succeeded',
  RunFailed: 'run.failed',
  EnvironmentExpiring: 'environment.expiring',
  EnvironmentDrifted: 'environment.drifted',
} as const;
export type NotificationEvent = (typeof NotificationEvent)[keyof typeof NotificationEvent];

/** The body's shape: Plinth's own JSON, or Slack's incoming-webhook message (`{text, blocks}`). */
export const NotificationFormat = { Plinth: 'plinth', Slack: 'slack' } as const;
export type NotificationFormat = (typeof NotificationFormat)[keyof typeof NotificationFormat];

/** Where notifications go (config `notifications`). */
export interface NotificationTarget {
  /** For logs; the URL's host when absent. */
  name?: string;
  url: string;
  /** The events sent there; every event when absent. */
  events?: NotificationEvent[];
  format?: NotificationFormat;
  /** The HMAC-SHA256 key, as a secret reference (a file or an environment variable, never inline). */
  secret?: SecretRef;
}

/** What happened; never holds a secret, only names, ids and counts. */
export interface NotificationInput {
  event: NotificationEvent;
  /** One line for people. */
  summary: string;
  environment?: string | null;
  requestId?: string | null;
  runId?: string | null;
  requester?: string | null;
  action?: string | null;
  phase?: string | null;
  details?: Record<string, unknown>;
}

/** A notification as the `plinth` format sends it. */
export interface Notification extends NotificationInput {
  id: string;
  time: string;
}

/**
 * Sends notifications in the background: `notify` never waits and never
 * throws. With a store, each delivery is kept until it ends, so a restart
 * neither sends a fact twice nor loses one (`resume`).
 */
export interface Notifier {
  notify(input: NotificationInput): void;
  /** Follows runs: approval needed, succeeded, failed. Returns the unsubscribe function. */
  watch(engine: Pick<WorkflowEngine, 'onChange'>): () => void;
  /** Delivers what a previous process left pending (with its first delivery id). */
  resume(): Promise<void>;
  /** Resolves when every delivery started so far has ended (delivered or given up). */
  settled(): Promise<void>;
  /** Abandons deliveries in flight; with a store they stay pending for the next `resume`. */
  stop(): Promise<void>;
}

export interface NotifierDeps {
  targets: NotificationTarget[];
  logger: Logger;
  clock?: () => Date;
  secrets?: SecretResolver;
  /** Attempts per delivery (default 5), the first backoff (default 500 ms, doubling) and its cap (default 30 s). */
  attempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Where deliveries are kept across restarts; in memory only when absent. */
  store?: Pick<Store, 'notifications'>;
}

/** The header carrying `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = 'x-plinth-signature-256';

/** `sha256=<hex>`: the HMAC-SHA256 of `body` with `secret`, as the signature header carries it. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function slackBody(n: Notification): Record<string, unknown> {
  const facts = [
    n.environment ? `environment *${n.environment}*` : null,
    n.runId ? `run \`${n.runId}\`` : null,
    n.requester ? `requested by ${n.requester}` : null,
  ].filter((f): f is string => f !== null);
  return {
    text: n.summary,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: n.summary } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: [n.event, ...facts].join(' · ') }],
      },
    ],
  };
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export function createNotifier(deps: NotifierDeps): Notifier {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger.child({ component: 'notifications' });
  const attempts = Math.max(1, deps.attempts ?? 5);
  const backoffMs = deps.backoffMs ?? 500;
  const maxBackoffMs = deps.maxBackoffMs ?? 30_000;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const inFlight = new Set<Promise<void>>();
  const sent = new Set<string>();

  const stopping = new AbortController();

  const targetKey = (t: NotificationTarget) => t.name ?? t.url;

  /** Sends `n` to `target` until it is accepted, refused or out of attempts; the end state. */
  async function send(
    target: NotificationTarget,
    n: Notification,
    tried: number,
  ): Promise<{ state: 'delivered' | 'failed' | 'pending'; attempts: number }> {
    const body = JSON.stringify(target.format === NotificationFormat.Slack ? slackBody(n) : n);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'plinth-notifications',
      'x-plinth-event': n.event,
      'x-plinth-delivery': n.id,
    };
    if (target.secret) {
      if (!deps.secrets) throw new Error('a signed notification target needs a secret resolver');
      headers[SIGNATURE_HEADER] = signatureOf(await deps.secrets.resolve(target.secret), body);
    }
    const where = target.name ?? new URL(target.url).host;
    for (let attempt = tried + 1; ; attempt++) {
      if (stopping.signal.aborted) return { state: 'pending', attempts: attempt - 1 };
      let why: string;
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping.signal]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return { state: 'delivered', attempts: attempt };
        why = `answered ${res.status}`;
        if (!retryable(res.status)) {
          logger.warn(
            { target: where, event: n.event, status: res.status },
            'notification refused',
          );
          return { state: 'failed', attempts: attempt };
        }
      } catch (err) {
        if (stopping.signal.aborted) return { state: 'pending', attempts: attempt - 1 };
        why = (err as Error).message;
      }
      if (attempt >= attempts) {
        logger.warn(
          { target: where, event: n.event, why },
          'notification not delivered; giving up',
        );
        return { state: 'failed', attempts: attempt };
      }
      const wait = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        stopping.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async function deliver(
    target: NotificationTarget,
    n: Notification,
    dedupeKey: string,
    /** Attempts a previous process made; undefined for a new delivery. */
    resumedAfter?: number,
  ): Promise<void> {
    const store = deps.store?.notifications;
    if (store && resumedAfter === undefined) {
      const now = clock().getTime();
      const first = await store.add({
        dedupeKey,
        target: targetKey(target),
        notification: { ...n },
        state: 'pending',
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
      if (!first) return;
    }
    const end = await send(target, n, resumedAfter ?? 0);
    if (store && end.state !== 'pending') {
      await store.update(dedupeKey, targetKey(target), {
        ...end,
        updatedAt: clock().getTime(),
      });
    }
  }

  function track(p: Promise<void>, event: string): void {
    const tracked: Promise<void> = p
      .catch((err: unknown) => logger.warn({ err, event }, 'notification failed'))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }

  function emit(input: NotificationInput, dedupeKey?: string): void {
    if (stopping.signal.aborted) return;
    const n: Notification = { id: randomUUID(), time: clock().toISOString(), ...input };
    for (const target of deps.targets) {
      if (target.events && !target.events.includes(n.event)) continue;
      track(deliver(target, n, dedupeKey ?? n.id), n.event);
    }
  }

  function notify(input: NotificationInput): void {
    emit(input);
  }

  /** Once per process for each run and event (the store keeps it once across processes). */
  function once(key: string): boolean {
    if (sent.has(key)) return false;
    sent.add(key);
    return true;
  }

  function onRun(wf: Workflow): void {
    const facts = factsFromWorkflow(wf);
    if (!facts.labels[Labels.kind]) return;
    const base = {
      environment: facts.labels[Labels.environment] ?? null,
      requestId: facts.labels[Labels.requestId] ?? null,
      runId: facts.name,
      action: facts.labels[Labels.action] ?? null,
      requester: facts.arguments['requester'] || null,
      phase: facts.phase,
    };
    const what = `${base.action ?? 'run'} of ${facts.labels[Labels.kind]} ${base.environment ?? facts.name}`;
    const waiting = waitingNode(facts);
    const approvalKey = `${facts.uid}:${waiting?.id ?? ''}:approval`;
    if (waiting && once(approvalKey)) {
      const plan = planSummaryOf(facts);
      emit(
        {
          event: NotificationEvent.ApprovalNeeded,
          summary: `Approval needed: ${what} (run ${facts.name})${plan ? `, plan: ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy` : ''}`,
          ...base,
          details: { node: waiting.displayName || waiting.name, plan },
        },
        approvalKey,
      );
    }
    const finalKey = `${facts.uid}:final`;
    if (facts.phase === 'Succeeded' && once(finalKey)) {
      emit(
        { event: NotificationEvent.RunSucceeded, summary: `Succeeded: ${what}`, ...base },
        finalKey,
      );
    }
    if ((facts.phase === 'Failed' || facts.phase === 'Error') && once(finalKey)) {
      const message = failureMessage(facts);
      emit(
        {
          event: NotificationEvent.RunFailed,
          summary: `${facts.phase}: ${what}${message ? `: ${message}` : ''}`,
          ...base,
          details: { message },
        },
        finalKey,
      );
    }
  }

  return {
    notify,
    watch: (engine) => (deps.targets.length === 0 ? () => undefined : engine.onChange(onRun)),
    async resume() {
      const store = deps.store?.notifications;
      if (!store) return;
      for (const left of await store.pending()) {
        const target = deps.targets.find((t) => targetKey(t) === left.target);
        if (!target) {
          // The target was removed from the configuration: nowhere to send it.
          await store.update(left.dedupeKey, left.target, {
            state: 'failed',
            attempts: left.attempts,
            updatedAt: clock().getTime(),
          });
          continue;
        }
        const n = left.notification as unknown as Notification;
        track(deliver(target, n, left.dedupeKey, left.attempts), n.event);
      }
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async stop() {
      stopping.abort();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

/**
 * Checks a list of notification targets (config `notifications`, or the
 * `targets` of `catalog/policies/notifications.json`); throws ManifestError
 * naming the entry and what is wrong.
 */
export function parseNotificationTargets(
  doc: unknown,
  file = 'notifications',
): NotificationTarget[] {
  const list = Array.isArray(doc) ? doc : (doc as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(list)) throw new ManifestError('"targets" must be a list', { file });
  const events = Object.values(NotificationEvent) as string[];
  const formats = Object.values(NotificationFormat) as string[];
  return list.map((raw: unknown, i) => {
    const t = (raw ?? {}) as Record<string, unknown>;
    const fail = (what: string) => new ManifestError(`targets[${i}].${what}`, { file });
    if (typeof t['url'] !== 'string' || !/^https?:\/\//.test(t['url'])) {
      throw fail('url must be an http(s) URL');
    }
    if (
      t['events'] !== undefined &&
      (!Array.isArray(t['events']) || t['events'].some((e) => !events.includes(e as string)))
    ) {
      throw fail(`events must list some of ${events.join(', ')}`);
    }
    if (t['format'] !== undefined && !formats.includes(t['format'] as string)) {
      throw fail(`format must be one of ${formats.join(', ')}`);
    }
    const secret = t['secret'] as { name?: unknown; key?: unknown } | undefined;
    if (
      secret !== undefined &&
      (typeof secret.name !== 'string' || typeof secret.key !== 'string')
    ) {
      throw fail(
        'secret must be {name, key}: a secret file or PLINTH_SECRET_ variable, never the key itself',
      );
    }
    return {
      url: t['url'],
      ...(typeof t['name'] === 'string' ? { name: t['name'] } : {}),
      ...(t['events'] ? { events: t['events'] as NotificationEvent[] } : {}),
      ...(t['format'] ? { format: t['format'] as NotificationFormat } : {}),
      ...(secret
        ? {
            secret: {
              kind: 'secret' as const,
              name: secret.name as string,
              key: secret.key as string,
            },
          }
        : {}),
    };
  });
}

/** Reads `catalog/policies/notifications.json`; no targets when the file does not exist. */
export async function loadNotificationTargets(file: string): Promise<NotificationTarget[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(`not JSON (${(cause as Error).message})`, { file }, { cause });
  }
  return parseNotificationTargets(doc, file);
}
