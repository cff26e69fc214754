/**
 * Counters of the HTTP/1 and WebSocket parsers. One instance is shared by
 * every connection parsed with the same options; the processor or the
 * metrics module reads it (plain fields, no locking: one thread).
 */
import type { HttpIncompleteReason } from '../../exchange/http-exchange';
import { WebSocketStats } from '../websocket/websocket-stats';

/** Why a message could not be parsed (then the direction resynchronises). */
export type Http1ParseError =
  | 'invalid-start-line'
  | 'invalid-header'
  | 'head-too-large'
  | 'too-many-headers'
  | 'invalid-content-length'
  | 'invalid-transfer-encoding'
  | 'invalid-chunk'
  /** A request where responses flow, or the reverse. */
  | 'unexpected-message';

export class Http1Stats {
  /** Exchanges emitted complete (late completions included). */
  exchangesComplete = 0;
  /** Exchanges emitted incomplete, by reason. */
  readonly exchangesIncomplete: Record<HttpIncompleteReason, number> = {
    timeout: 0,
    'connection-closed': 0,
    'no-request': 0,
    'capture-gap': 0,
    'parse-error': 0,
    'queue-overflow': 0,
  };
  /** Exchanges reported incomplete on timeout whose response came later (and were emitted again). */
  lateResponses = 0;
  /** Malformed messages, by reason. */
  readonly parseErrors: Record<Http1ParseError, number> = {
    'invalid-start-line': 0,
    'invalid-header': 0,
    'head-too-large': 0,
    'too-many-headers': 0,
    'invalid-content-length': 0,
    'invalid-transfer-encoding': 0,
    'invalid-chunk': 0,
    'unexpected-message': 0,
  };
  /** Times a direction found a message start again after skipping bytes (after a gap, garbage or a late start). */
  resyncs = 0;
  /** Bytes skipped while looking for a message start. */
  bytesSkipped = 0;
  /** Capture gaps seen by the parser, and the bytes they lost. */
  gaps = 0;
  gapBytes = 0;
  /** Bodies whose decoding hit the expansion-ratio limit (decompression bombs cut). */
  bombsCut = 0;
  /** Bodies whose decoding hit the decoded-size limit. */
  decodeSizeLimited = 0;
  /** Bodies with corrupt coded data. */
  decodeErrors = 0;
  /** Bodies with a content coding plaintap does not decode. */
  unsupportedEncodings = 0;
  /** Connections switched to WebSocket, and to an opaque tunnel (CONNECT, other upgrades). */
  websocketUpgrades = 0;
  tunnels = 0;
  /** Bytes that went through opaque tunnels (counted, not parsed). */
  tunnelBytes = 0;
  /** Bytes of a held direction (after an upgrade request) dropped over the hold limit. */
  heldBytesDropped = 0;
  readonly websocket = new WebSocketStats();

  incompleteTotal(): number {
    let total = 0;
    for (const count of Object.values(this.exchangesIncomplete)) total += count;
    return total;
  }

  parseErrorTotal(): number {
    let total = 0;
    for (const count of Object.values(this.parseErrors)) total += count;
    return total;
  }
}
