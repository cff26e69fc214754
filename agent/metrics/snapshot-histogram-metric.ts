/**
 * A prom-client metric whose histogram series are read from a snapshot at scrape time, for
 * histograms recorded outside prom-client (see ExchangeDurationHistogram). prom-client's own
 * Histogram can only `observe`; this object implements the `get()` shape its Registry reads
 * (name, help, type, aggregator, values with `metricName` for `_bucket`/`_sum`/`_count`).
 */
import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

export interface HistogramSnapshot<L extends string> {
  readonly buckets: readonly number[];
  readonly series: readonly {
    readonly labels: Readonly<Record<L, string>>;
    /** Non-cumulative: one per bucket, then +Inf. */
    readonly counts: readonly number[];
    readonly sum: number;
    readonly count: number;
  }[];
}

export interface SnapshotHistogramConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Called once per scrape; throwing or returning undefined yields no series. */
  readonly snapshot: () => HistogramSnapshot<L> | undefined;
}

type Value = MetricValueWithName<string>;

export class SnapshotHistogramMetric<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: readonly L[];

  constructor(private readonly config: SnapshotHistogramConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
  }

  /** Adds this metric to `registry` (prom-client types only know its own four classes). */
  registerIn(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  get(): Promise<MetricObjectWithValues<Value>> {
    const values: Value[] = [];
    const snapshot = this.config.snapshot();
    for (const series of snapshot?.series ?? []) {
      const labels: Record<string, string | number> = { ...series.labels };
      let cumulative = 0;
      snapshot?.buckets.forEach((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: series.count });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type as unknown as MetricObjectWithValues<Value>['type'],
      aggregator: this.aggregator,
      collect: () => undefined,
      values,
    });
  }

  /** Registry.resetMetrics() calls this; the source owns the data, so nothing to do. */
  reset(): void {}
}
