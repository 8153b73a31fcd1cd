import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.js';

const names = { requests: 'http_requests_total', durations: 'http_request_duration_seconds' };
const help = {
  requests: 'HTTP requests answered, by route, method and status code.',
  durations: 'Time to answer HTTP requests, by route, method and status code.',
};
const bounds = [0.001, 0.01, 0.1, 1];
const answers: [string, string, number, number][] = [
  ['GET', '/api/v1/environments/:name', 200, 0.0004],
  ['GET', '/api/v1/environments/:name', 200, 0.003],
  ['GET', '/api/v1/environments/:name', 404, 0.02],
  ['POST', '/api/v1/environments', 202, 0.5],
  ['GET', 'unmatched', 404, 7],
  ['GET', '/api/v1/environments/:name', 200, 0.001],
];

describe('RequestMetrics', () => {
  it("writes the text prom-client's own counter and histogram write for the same requests", async () => {
    const ours = new Registry();
    const metrics = new RequestMetrics(ours, names, bounds);
    const theirs = new Registry();
    const labelNames = ['method', 'route', 'status_code'];
    const counter = new Counter({
      name: names.requests,
      help: help.requests,
      labelNames,
      registers: [theirs],
    });
    const histogram = new Histogram({
      name: names.durations,
      help: help.durations,
      labelNames,
      buckets: bounds,
      registers: [theirs],
    });
    for (const [method, route, status, seconds] of answers) {
      metrics.record(method, route, status, seconds);
      const labels = { method, route, status_code: String(status) };
      counter.inc(labels);
      histogram.observe(labels, seconds);
    }
    const text = await ours.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.01",method="GET",route="/api/v1/environments/:name",status_code="200"} 3',
    );
    expect(text).toBe(await theirs.metrics());
  });

  it('starts again from zero when the registry is reset', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry, names, bounds);
    metrics.record('GET', '/healthz', 200, 0.0001);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('/healthz');
  });
});
