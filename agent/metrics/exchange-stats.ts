/**
 * Exchange counts and latencies taken from the records on their way to the exporters: a
 * RecordSink in front of the real sink. Feeds `plaintap_exchanges_total` and
 * `plaintap_exchange_duration_seconds` (wire `exchanges` and `exchangeDurations` of
 * MetricsSources to `countsSnapshot` and `durations.snapshot`).
 */
import type { HttpExchange } from '../exchange/http-exchange';
import type { Http2Exchange } from '../exchange/http2-exchange';
import type { OutputRecord } from '../exchange/output-record';
import type { WebSocketMessage } from '../exchange/websocket-message';
import { ExchangeDurationHistogram } from './exchange-duration-histogram';
import type { ExchangeCountsSnapshot } from './metrics-sources';

/** The records this stage looks at (the processor's union may not list them all yet). */
export type ObservedRecord = OutputRecord | HttpExchange | WebSocketMessage | { readonly kind: string };

export interface ObservedSink<R> {
  emit(record: R): void;
}

export class ExchangeStats {
  readonly durations: ExchangeDurationHistogram;
  private readonly counts = new Map<string, { complete: number; incomplete: number; late: number }>();

  constructor(durations = new ExchangeDurationHistogram()) {
    this.durations = durations;
  }

  observe(record: ObservedRecord): void {
    let protocol: string;
    if (record.kind === 'http1.exchange') protocol = 'http1';
    else if (record.kind === 'http2.exchange')
      protocol = (record as Http2Exchange).grpc !== undefined ? 'grpc' : 'http2';
    else return;
    const exchange = record as HttpExchange | Http2Exchange;
    this.count(protocol, exchange.late ? 'late' : exchange.complete ? 'complete' : 'incomplete');
    // Latency only where there is one: a request answered by a response.
    if (exchange.request && exchange.response) {
      this.durations.record(
        protocol,
        exchange.request.method,
        exchange.response.statusCode,
        exchange.side,
        Number(exchange.durationNs) / 1e9,
      );
    }
  }

  countsSnapshot(): ExchangeCountsSnapshot {
    const out: Record<string, { complete: number; incomplete: number; late: number }> = {};
    for (const [protocol, n] of this.counts) out[protocol] = { ...n };
    return out;
  }

  /** A sink that observes each record, then hands it to `next`. */
  sink<R extends ObservedRecord>(next: ObservedSink<R>): ObservedSink<R> {
    return {
      emit: (record: R) => {
        this.observe(record);
        next.emit(record);
      },
    };
  }

  private count(protocol: string, completeness: 'complete' | 'incomplete' | 'late'): void {
    let entry = this.counts.get(protocol);
    if (!entry) {
      entry = { complete: 0, incomplete: 0, late: 0 };
      this.counts.set(protocol, entry);
    }
    entry[completeness] += 1;
  }
}
