/** What the OTLP exporter tests feed and check, whichever backend the exporter runs. */
import { Direction, type ConnectionFacts } from '../../agent/capture/captured-event';
import type { RawMessage } from '../../agent/exchange/output-record';
import type { OtlpLogExporter } from '../../agent/export/otlp/otlp-log-exporter';
import { facts } from './captured-events';
import { rawMessage } from './output-records';

/** The connection the exporter tests' records come from (wget over GnuTLS). */
export const EXPORTER_TEST_CONNECTION = facts({
  pid: 7,
  tid: 8,
  uid: 0,
  comm: 'wget',
  fd: 3,
  sockId: 1n,
  localPort: 40000,
  remotePort: 8443,
  tlsLibrary: 'gnutls',
});

/** Raw message number `i`: payload `message i`, one nanosecond after message i-1. */
export function numberedRawMessage(i: number, connection: ConnectionFacts = EXPORTER_TEST_CONNECTION): RawMessage {
  return rawMessage(`message ${i}`, {
    connection,
    direction: Direction.Ingress,
    timestampNs: 1_700_000_000_000_000_000n + BigInt(i),
    length: 9,
  });
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
