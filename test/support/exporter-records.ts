/** What the OTLP exporter tests feed and check, whichever backend the exporter runs. */
import { Direction, type ConnectionFacts } from '../../agent/capture/captured-event';
import type { RawMessage } from '../../agent/exchange/output-record';
import type { OtlpLogExporter } from '../../agent/export/otlp/otlp-log-exporter';

/** Raw message number `i`: payload `message i`, one nanosecond after message i-1. */
export function numberedRawMessage(connection: ConnectionFacts, i: number): RawMessage {
  return {
    kind: 'raw',
    connection,
    direction: Direction.Ingress,
    timestampNs: 1_700_000_000_000_000_000n + BigInt(i),
    payload: new TextEncoder().encode(`message ${i}`),
    length: 9,
    truncated: false,
  };
}

/** Every record the exporter received is in exactly one of these: the books always balance. */
export function accountedFor(exporter: OtlpLogExporter): number {
  const s = exporter.stats();
  return (
    s.exported +
    s.failed +
    s.queueDepth +
    s.inFlight +
    s.dropped.queueFull +
    s.dropped.shutdown +
    s.dropped.mappingError
  );
}
