/**
 * Exchange latency, bucketed where it is measured. The exchange stage calls `record` once per
 * exchange (a map lookup and a bucket increment, no prom-client on that path); the metrics
 * registry reads `snapshot()` at scrape time as `plaintap_exchange_duration_seconds`.
 *
 * Labels are normalised to bounded sets: protocol (a parser name), method (known HTTP methods,
 * else `_OTHER`), status class (`1xx`…`5xx`, or `none` without a response), side.
 */
import { KNOWN_HTTP_METHODS } from '../exchange/http-exchange';

/** Upper bounds in seconds (`le`), from 1 ms to 1 min. */
export const EXCHANGE_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export type ExchangeSide = 'client' | 'server';
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'other' | 'none';

export interface ExchangeDurationLabels {
  readonly protocol: string;
  readonly method: string;
  readonly status_class: StatusClass;
  readonly side: ExchangeSide;
}

export interface ExchangeDurationSeries {
  readonly labels: ExchangeDurationLabels;
  /** Non-cumulative counts, one per bucket of `buckets`, then one for +Inf. */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface ExchangeDurationSnapshot {
  readonly buckets: readonly number[];
  readonly series: readonly ExchangeDurationSeries[];
}

interface MutableSeries {
  readonly labels: ExchangeDurationLabels;
  readonly counts: number[];
  sum: number;
  count: number;
}

const PROTOCOL_NAME = /^[a-z][a-z0-9_.-]{0,23}$/;

export function statusClass(statusCode: number | undefined): StatusClass {
  if (statusCode === undefined) return 'none';
  if (statusCode >= 100 && statusCode < 600) return `${Math.floor(statusCode / 100)}xx` as StatusClass;
  return 'other';
}

export class ExchangeDurationHistogram {
  private readonly series = new Map<string, MutableSeries>();
  /** The series of the previous call, by its raw arguments. */
  private last:
    | { protocol: string; method: string; statusCode: number | undefined; side: ExchangeSide; entry: MutableSeries }
    | undefined;

  constructor(readonly buckets: readonly number[] = EXCHANGE_DURATION_BUCKETS) {}

  /** One exchange; a negative or non-finite duration is ignored. */
  record(protocol: string, method: string, statusCode: number | undefined, side: ExchangeSide, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    // Nearly every exchange falls in the series of the one before: no key to build then.
    const last = this.last;
    let entry: MutableSeries | undefined;
    if (
      last !== undefined &&
      last.protocol === protocol &&
      last.method === method &&
      last.statusCode === statusCode &&
      last.side === side
    ) {
      entry = last.entry;
    } else {
      entry = this.seriesFor(protocol, method, statusCode, side);
      this.last = { protocol, method, statusCode, side, entry };
    }
    let index = 0;
    while (index < this.buckets.length && seconds > (this.buckets[index] ?? Infinity)) index++;
    entry.counts[index] = (entry.counts[index] ?? 0) + 1;
    entry.sum += seconds;
    entry.count += 1;
  }

  private seriesFor(
    protocol: string,
    method: string,
    statusCode: number | undefined,
    side: ExchangeSide,
  ): MutableSeries {
    const labels: ExchangeDurationLabels = {
      protocol: PROTOCOL_NAME.test(protocol) ? protocol : 'other',
      method: KNOWN_HTTP_METHODS.has(method) ? method : '_OTHER',
      status_class: statusClass(statusCode),
      side,
    };
    const key = `${labels.protocol}\0${labels.method}\0${labels.status_class}\0${labels.side}`;
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    return entry;
  }

  snapshot(): ExchangeDurationSnapshot {
    return {
      buckets: this.buckets,
      series: [...this.series.values()].map((s) => ({
        labels: s.labels,
        counts: [...s.counts],
        sum: s.sum,
        count: s.count,
      })),
    };
  }
}
