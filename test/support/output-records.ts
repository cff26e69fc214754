/** Output records for tests of what comes after the parsers (redaction, outputs, exporters, statistics). */
import { Direction } from '../../agent/capture/captured-event';
import type { HttpBody } from '../../agent/exchange/http-exchange';
import type { RawMessage } from '../../agent/exchange/output-record';
import { facts } from './captured-events';

/**
 * A raw message carrying `payload` (string: UTF-8), complete: on `facts()`'s connection, egress,
 * at 1 ns, its length the payload's; `overrides` sets any field.
 */
export function rawMessage(payload: string | Uint8Array, overrides: Partial<RawMessage> = {}): RawMessage {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return {
    kind: 'raw',
    connection: facts(),
    direction: Direction.Egress,
    timestampNs: 1n,
    payload: bytes,
    length: bytes.length,
    truncated: false,
    ...overrides,
  };
}

/** An HTTP body of `bytes` bytes (on the wire too), identity-coded, nothing kept; `overrides` sets any field. */
export function httpBody(bytes = 0, overrides: Partial<HttpBody> = {}): HttpBody {
  return {
    preview: new Uint8Array(0),
    truncated: false,
    wireBytes: bytes,
    bytes,
    decoding: 'identity',
    lostBytes: 0,
    ...overrides,
  };
}
