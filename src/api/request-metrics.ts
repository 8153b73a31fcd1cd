import type { Metric, Registry } from 'prom-client';

interface Labels {
  method: string;
  route: string;
  status_code: string;
}

interface Series {
  labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket, not yet cumulative (they are summed at scrape time). */
  buckets: number[];
}

interface Sample {
  metricName: string;
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: Labels;
}

/** What a prom-client registry reads of a metric. */
interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

/**
 * Requests answered and their durations, by method, route and status code,
 * kept as plain numbers per series and written in Prometheus's counter and
 * histogram shapes at scrape time. prom-client's own metrics hash the labels
 * at every observation, which was a measurable share of a cheap read.
 */
export class RequestMetrics {
  readonly #series = new Map<string, Series>();
  readonly #bounds: readonly number[];

  constructor(
    registry: Registry,
    names: { requests: string; durations: string },
    bounds: readonly number[],
  ) {
    this.#bounds = bounds;
    const counter = this.#metric(
      names.requests,
      'HTTP requests answered, by route, method and status code.',
      'counter',
      () => [...this.#series.values()].map((s) => this.#sample(names.requests, s.count, s.labels)),
    );
    const histogram = this.#metric(
      names.durations,
      'Time to answer HTTP requests, by route, method and status code.',
      'histogram',
      () => [...this.#series.values()].flatMap((s) => this.#histogramSamples(names.durations, s)),
    );
    // prom-client's registry reads any object of this shape; its types list only its own classes.
    registry.registerMetric(counter as unknown as Metric);
    registry.registerMetric(histogram as unknown as Metric);
  }

  /** Counts one answered request. */
  record(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${statusCode} ${route}`;
    let series = this.#series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status_code: String(statusCode) },
        count: 0,
        sum: 0,
        buckets: this.#bounds.map(() => 0),
      };
      this.#series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    const bucket = this.#bounds.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) series.buckets[bucket] = (series.buckets[bucket] ?? 0) + 1;
  }

  #metric(
    name: string,
    help: string,
    type: CollectedMetric['type'],
    values: () => Sample[],
  ): CollectedMetric {
    const series = this.#series;
    return {
      name,
      help,
      type,
      aggregator: 'sum',
      get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => series.clear(),
    };
  }

  #sample(metricName: string, value: number, labels: Labels): Sample {
    return { metricName, value, labels: { ...labels } };
  }

  #histogramSamples(name: string, series: Series): Sample[] {
    let cumulative = 0;
    const samples: Sample[] = this.#bounds.map((le, i) => {
      cumulative += series.buckets[i] ?? 0;
      return {
        metricName: `${name}_bucket`,
        value: cumulative,
        labels: { le },
        sharedLabels: series.labels,
      };
    });
    samples.push(
      {
        metricName: `${name}_bucket`,
        value: series.count,
        labels: { le: '+Inf' },
        sharedLabels: series.labels,
      },
      { metricName: `${name}_sum`, value: series.sum, labels: {}, sharedLabels: series.labels },
      { metricName: `${name}_count`, value: series.count, labels: {}, sharedLabels: series.labels },
    );
    return samples;
  }
}
