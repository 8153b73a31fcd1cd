import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import type { Platform } from '../platform/index.js';
import { RequestMetrics } from './request-metrics.js';

/** Gauges the API cannot compute itself; each is read at scrape time and left out when absent. */
export interface MetricSources {
  /** Events on the bus not yet acknowledged by every consumer. */
  queueDepth?: () => Promise<number> | number;
  /** Seconds between the oldest unhandled event's time and now (0 when none waits). */
  eventLagSeconds?: () => Promise<number> | number;
}

/** Argo's Workflow phases, always exported (at 0 when no run is in one). */
const RUN_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Error'];

/**
 * One registry per API instance (never prom-client's global one): HTTP
 * requests by route, method and status with their durations, runs by phase,
 * and the bus gauges the composition root can give.
 */
export function registerMetrics(
  app: FastifyInstance,
  platform: Platform,
  sources: MetricSources = {},
): Registry {
  const registry = new Registry();
  const requests = new RequestMetrics(
    registry,
    { requests: 'plinth_http_requests_total', durations: 'plinth_http_request_duration_seconds' },
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  new Gauge({
    name: 'plinth_runs',
    help: 'Runs (Workflows) in the store, by phase.',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      const counts = await platform.stats.runsByPhase();
      this.reset();
      for (const phase of new Set([...RUN_PHASES, ...Object.keys(counts)])) {
        this.set({ phase }, counts[phase] ?? 0);
      }
    },
  });
  const { queueDepth, eventLagSeconds } = sources;
  if (queueDepth) {
    new Gauge({
      name: 'plinth_eventbus_queue_depth',
      help: 'Events on the bus not yet acknowledged by every consumer.',
      registers: [registry],
      async collect() {
        this.set(await queueDepth());
      },
    });
  }
  if (eventLagSeconds) {
    new Gauge({
      name: 'plinth_event_lag_seconds',
      help: 'Age of the oldest event not yet handled by every sensor.',
      registers: [registry],
      async collect() {
        this.set(await eventLagSeconds());
      },
    });
  }

  app.addHook('onResponse', (request, reply, done) => {
    // Unmatched URLs share one label, so scanners cannot grow the series without bound.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.record(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  return registry;
}

/** `GET /metrics` in Prometheus's text format, unauthenticated like the probes. */
export function metricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Metrics in Prometheus text format (unauthenticated, like the probes)',
        response: {
          200: {
            description: 'Prometheus exposition format 0.0.4.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
