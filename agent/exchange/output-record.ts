/** Everything the processor hands to the exporters. One union, discriminated by `kind`. */
import type { ConnectionFacts, Direction } from '../capture/captured-event';
import type { DbQuery } from './db-query';
import type { HttpExchange } from './http-exchange';
import type { Http2Exchange } from './http2-exchange';
import type { ShellCommand } from './shell-command';
import type { WebSocketMessage } from './websocket-message';

/** Bytes of one direction that no protocol recognised. */
export interface RawMessage {
  readonly kind: 'raw';
  readonly connection: ConnectionFacts;
  readonly direction: Direction;
  /** Wall-clock nanoseconds of the first byte. */
  readonly timestampNs: bigint;
  /** The kept bytes (at most the truncation cap). */
  readonly payload: Uint8Array;
  /** Bytes seen for this message, kept or not. */
  readonly length: number;
  /** True when bytes were cut by the cap or lost in capture. */
  readonly truncated: boolean;
}

export type OutputRecord = RawMessage | HttpExchange | WebSocketMessage | Http2Exchange | ShellCommand | DbQuery;

/** Records of the non-stream sources: no connection, no side. */
export type SourceRecord = ShellCommand | DbQuery;
